using Microsoft.Extensions.Options;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>A version the replica should serve; <paramref name="ContentKey"/> changes when its bytes do.</summary>
public sealed record DesiredVersion(string Model, string Version, string ContentKey);

/// <summary>
/// Brings the repository to a desired model set: loads what is missing or changed, sets each model's default
/// version, unloads what is no longer wanted. Shared by the control-plane sync and the local folder loader.
/// </summary>
public sealed class ModelSetReconciler(
    ModelRepository repository,
    IOptions<InferenceOptions> options,
    ILogger<ModelSetReconciler> logger)
{
    // What each loaded version was loaded from, to notice a version whose artifact changed.
    private readonly Dictionary<(string Model, string Version), string> _loadedContent = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Applies the set. Returns true when every desired version is loaded; failures are logged and the rest
    /// of the set still applies, so one bad artifact does not stop the others.
    /// </summary>
    /// <param name="localPath">Finds (downloading if need be) the model file of a version.</param>
    public async Task<bool> ApplyAsync(
        IReadOnlyList<DesiredVersion> desired,
        IReadOnlyDictionary<string, string?> defaultVersions,
        Func<DesiredVersion, CancellationToken, Task<string>> localPath,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var allLoaded = true;
            var modelOptions = options.Value.ToModelOptions();
            foreach (var version in desired)
            {
                var key = (version.Model, version.Version);
                if (_loadedContent.TryGetValue(key, out var loadedFrom) && loadedFrom == version.ContentKey
                    && repository.TryResolve(version.Model, version.Version, out _))
                {
                    continue;
                }

                try
                {
                    var path = await localPath(version, cancellationToken);
                    // Session creation is CPU-bound (graph optimisation) and can take seconds for large models.
                    var model = await Task.Run(() => OnnxModel.Load(version.Model, version.Version, path, modelOptions, logger), cancellationToken);
                    repository.Add(model);
                    _loadedContent[key] = version.ContentKey;
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    allLoaded = false;
                    logger.LogError(exception, "Could not load model {Model} version {Version}", version.Model, version.Version);
                }
            }

            foreach (var (model, defaultVersion) in defaultVersions)
            {
                repository.SetDefaultVersion(model, defaultVersion);
            }

            var wanted = desired.Select(version => (version.Model, version.Version)).ToHashSet();
            foreach (var loaded in repository.LoadedModels)
            {
                if (!wanted.Contains((loaded.Name, loaded.Version)))
                {
                    repository.Remove(loaded.Name, loaded.Version);
                    _loadedContent.Remove((loaded.Name, loaded.Version));
                }
            }

            foreach (var model in repository.ModelNames)
            {
                if (!defaultVersions.ContainsKey(model))
                {
                    repository.SetDefaultVersion(model, null);
                }
            }

            return allLoaded;
        }
        finally
        {
            _gate.Release();
        }
    }
}
