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
