namespace MlopsAspire.Inference.Protocol;

/// <summary>
/// Counts requests refused for their size (gRPC messages past <see cref="InferenceOptions.MaxMessageBytes"/>, a
/// compressed one included once it inflated that far; REST bodies past the same limit). Each was read up to the limit
/// before it was refused, so a burst of them leaves the replica as large as a flood does.
/// </summary>
public sealed class OversizedMessages
{
    private long _total;
    private long _untaken;

    /// <summary>Refusals since the replica started.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Record()
    {
        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref _untaken);
    }

    /// <summary>Refusals since the last call.</summary>
    public long Take() => Interlocked.Exchange(ref _untaken, 0);
}
