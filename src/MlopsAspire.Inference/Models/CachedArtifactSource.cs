using MlopsAspire.Artifacts;

namespace MlopsAspire.Inference.Models;

/// <summary>Artifacts from the store, verified and cached on local disk.</summary>
public sealed class CachedArtifactSource(ArtifactCache cache) : IModelArtifactSource
{
    public Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken) =>
        cache.GetLocalPathAsync(sha256, cancellationToken);
}
