namespace MlopsAspire.Artifacts;

/// <summary>A committed artifact: its content hash (lowercase hex SHA-256) and length in bytes.</summary>
public sealed record ArtifactDescriptor(string Sha256, long Size);
