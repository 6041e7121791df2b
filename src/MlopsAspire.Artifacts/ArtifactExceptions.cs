namespace MlopsAspire.Artifacts;

/// <summary>Base of every failure the artifact store reports about artifact content or presence.</summary>
public class ArtifactException : Exception
{
    public ArtifactException(string message)
        : base(message)
    {
    }

    public ArtifactException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>No committed artifact has this SHA-256.</summary>
public sealed class ArtifactNotFoundException(string sha256)
    : ArtifactException($"Artifact sha256:{sha256} is not in the store; upload it first or check the hash.")
{
    public string Sha256 { get; } = sha256;
}

/// <summary>Content does not match its hash or recorded size: a wrong expected hash on upload, or corrupted/missing data on download.</summary>
public sealed class ArtifactIntegrityException : ArtifactException
{
    public ArtifactIntegrityException(string expectedSha256, string? actualSha256, string message)
        : base(message)
    {
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    public string ExpectedSha256 { get; }

    /// <summary>The hash of what was actually read; null when the failure was found before hashing finished (e.g. a missing chunk).</summary>
    public string? ActualSha256 { get; }
}

/// <summary>Uploaded content exceeds <see cref="ArtifactStoreOptions.MaxArtifactSize"/>.</summary>
public sealed class ArtifactTooLargeException(long limitBytes)
    : ArtifactException($"Artifact exceeds the store's limit of {limitBytes} bytes ({limitBytes / (1024.0 * 1024.0):0.#} MiB); nothing was stored. Raise ArtifactStoreOptions.MaxArtifactSize or upload a smaller artifact.")
{
    public long LimitBytes { get; } = limitBytes;
}
