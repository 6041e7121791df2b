namespace MlopsAspire.Abstractions;

/// <summary>A change based on a revision of the model that is no longer current; re-read the model and retry.</summary>
[GenerateSerializer]
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException(string message, long currentRevision) : base(message) => CurrentRevision = currentRevision;

    [Id(0)]
    public long CurrentRevision { get; private set; }
}
