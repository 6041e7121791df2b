namespace MlopsAspire.Abstractions;

/// <summary>A request the lifecycle rules refuse; the message says which rule and what would be allowed.</summary>
[GenerateSerializer]
public sealed class LifecycleViolationException : Exception
{
    public LifecycleViolationException(string message) : base(message) { }
}
