namespace MlopsAspire.Inference.Models;

/// <summary>Where the replica gets a model artifact as a local file, by content address.</summary>
public interface IModelArtifactSource
{
    Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken);
}
