using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Deletes an artifact from the store once no version of any model that is still alive (not Retired) refers to it.
/// Artifacts are content-addressed, so one artifact may back versions of several models: every model the registry
/// knows is checked before anything is deleted.
/// </summary>
public sealed partial class ArtifactCollector(IGrainFactory grains, ArtifactStore artifacts, ILogger<ArtifactCollector> logger)
{
    /// <summary>
    /// Deletes the artifact <paramref name="sha256"/> if no live version references it. Returns true when it was
    /// deleted, false when it is still in use or was already gone.
    /// </summary>
    public async Task<bool> CollectAsync(string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        if (await FindLiveReferenceAsync(sha256) is { } user)
        {
            LogStillReferenced(sha256, user.ModelName, user.Version);
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var deleted = await artifacts.DeleteAsync(sha256, cancellationToken);
        if (deleted)
        {
            LogCollected(sha256);
        }

        return deleted;
    }

    private async Task<ModelVersionInfo?> FindLiveReferenceAsync(string sha256)
    {
        var names = await grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).ListModelsAsync();
        var references = await Task.WhenAll(names.Select(async name =>
        {
            var model = grains.GetGrain<IModelGrain>(name);
            if (!await model.ExistsAsync())
            {
                return null;
            }

            var info = await model.GetAsync();
            return info.Versions.FirstOrDefault(v =>
                v.State != ModelVersionState.Retired && string.Equals(v.ArtifactSha256, sha256, StringComparison.OrdinalIgnoreCase));
        }));
        return references.FirstOrDefault(r => r is not null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Artifact sha256 {Sha256} collected: no live model version references it any more")]
    private partial void LogCollected(string sha256);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Artifact sha256 {Sha256} kept: still used by model {Model} version {Version}")]
    private partial void LogStillReferenced(string sha256, string model, string version);
}
