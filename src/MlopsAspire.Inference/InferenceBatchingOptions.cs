namespace MlopsAspire.Inference;

/// <summary>The <c>Inference:Batching</c> section.</summary>
public sealed class InferenceBatchingOptions
{
    /// <summary>
    /// Whether requests go through each version's dynamic batcher (its <c>config.json</c>, or defaults from its
    /// signature). Off runs every request on its own as it arrives, to measure what batching buys.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
