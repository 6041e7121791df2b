namespace MlopsAspire.Artifacts;

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
