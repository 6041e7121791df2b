namespace MlopsAspire.Artifacts;

public sealed class ArtifactStoreOptions
{
    /// <summary>Bytes per stored chunk (one Redis string each). Readers use the size recorded with the artifact, so this may change between versions.</summary>
    public int ChunkSize { get; set; } = 1 << 20;

    public long MaxArtifactSize { get; set; } = 2L << 30;

    /// <summary>Prefix of every key the store writes; lets several stores (or tests) share one server.</summary>
    public string KeyPrefix { get; set; } = "mlops:artifact:";

    /// <summary>
    /// How long chunks of an upload that never committed (the uploader crashed) stay before the server drops them.
    /// Must exceed the longest upload; committing makes chunks permanent.
    /// </summary>
    public TimeSpan AbandonedUploadExpiry { get; set; } = TimeSpan.FromHours(24);

    internal void Validate()
    {
        // Redis strings stop at 512 MiB.
        if (ChunkSize is <= 0 or > 512 << 20)
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be between 1 byte and 512 MiB.");
        if (MaxArtifactSize < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxArtifactSize), MaxArtifactSize, "MaxArtifactSize must not be negative.");
        if (string.IsNullOrEmpty(KeyPrefix))
            throw new ArgumentException("KeyPrefix must not be empty.", nameof(KeyPrefix));
        if (AbandonedUploadExpiry <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AbandonedUploadExpiry), AbandonedUploadExpiry, "AbandonedUploadExpiry must be positive.");
    }
}
