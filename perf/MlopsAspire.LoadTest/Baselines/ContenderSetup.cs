namespace MlopsAspire.LoadTest.Baselines;

/// <summary>
/// How one baseline contender runs: its sessions at once × intra-op threads, and for our replica whether requests
/// go through the batcher (null for the contenders that have none).
/// </summary>
public sealed record ContenderSetup(CoreShare Share, bool? Batching = null)
{
    /// <summary>"2 × 1 threads, batching on".</summary>
    public string Describe() => Batching switch
    {
        true => $"{Share.Shape}, batching on",
        false => $"{Share.Shape}, batching off",
        null => Share.Shape,
    };
}
