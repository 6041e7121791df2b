namespace MlopsAspire.Artifacts;

/// <summary>No committed artifact has this SHA-256.</summary>
public sealed class ArtifactNotFoundException(string sha256)
    : ArtifactException($"Artifact sha256:{sha256} is not in the store; upload it first or check the hash.")
{
    public string Sha256 { get; } = sha256;
}

/// <summary>Uploaded content exceeds <see cref="ArtifactStoreOptions.MaxArtifactSize"/>.</summary>
public sealed class ArtifactTooLargeException(long limitBytes)
    : ArtifactException($"Artifact exceeds the store's limit of {limitBytes} bytes ({limitBytes / (1024.0 * 1024.0):0.#} MiB); nothing was stored. Raise ArtifactStoreOptions.MaxArtifactSize or upload a smaller artifact.")
{
    public long LimitBytes { get; } = limitBytes;
}
