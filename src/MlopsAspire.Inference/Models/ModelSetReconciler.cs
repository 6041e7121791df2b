using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Planning;
using MlopsAspire.Serving.Warmup;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Brings the repository to a desired model set: loads what is missing or changed, sets each model's default
/// version, unloads what is no longer wanted. Shared by the control-plane sync and the local folder loader. Each
/// version's state (loading, loaded, failed with the error) is kept in <see cref="Loads"/>; a version that failed
/// is tried again only once its backoff has passed.
/// </summary>
public sealed partial class ModelSetReconciler(
    ModelRepository repository,
    IOptions<InferenceOptions> options,
    ILogger<ModelSetReconciler> logger,
    VersionLoadStates? loads = null) : IDisposable
{
    // What each loaded version was loaded from, to notice a version whose artifact changed.
    private readonly Dictionary<(string Model, string Version), string> _loadedContent = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Loaded, loading or failed, for every version of the set last applied.</summary>
    public VersionLoadStates Loads { get; } = loads ?? new VersionLoadStates(options, TimeProvider.System);

    /// <summary>
    /// Applies the set. Returns true when every desired version is loaded; failures are logged and the rest
    /// of the set still applies, so one bad artifact does not stop the others. A version still waiting out the
    /// backoff of its last failure is not tried (and counts as not loaded).
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
                var contentKey = version.ContentKey + ConfigurationStamp(version);
                if (_loadedContent.TryGetValue(key, out var loadedFrom) && loadedFrom == contentKey
                    && repository.TryResolve(version.Model, version.Version, out _))
                {
                    continue;
                }

                if (!Loads.IsDue(version.Model, version.Version, contentKey))
                {
                    allLoaded = false;
                    continue;
                }

                Loads.Loading(version.Model, version.Version, contentKey);
                try
                {
                    var path = await localPath(version, cancellationToken);
                    var configuration = ConfigurationFor(version, path);
                    // Session creation is CPU-bound (graph optimisation) and can take seconds for large models.
                    var model = await Task.Run(() => LoadAndWarmUp(version, path, modelOptions, configuration), cancellationToken);
                    repository.Add(model);
                    _loadedContent[key] = contentKey;
                    Loads.Loaded(version.Model, version.Version, contentKey);
                    // A model is served as soon as its production version is warm, not after every other model
                    // of the table (ResNet-18 takes seconds) has loaded too.
                    if (defaultVersions.TryGetValue(version.Model, out var defaultVersion) && defaultVersion == version.Version)
                    {
                        repository.SetDefaultVersion(version.Model, defaultVersion);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    allLoaded = false;
                    var failed = Loads.Failed(version.Model, version.Version, contentKey, exception);
                    LogLoadFailed(exception, version.Model, version.Version, failed.FailedAttempts, failed.NextAttemptAt);
                }
            }

            foreach (var (model, defaultVersion) in defaultVersions)
            {
                repository.SetDefaultVersion(model, defaultVersion);
            }

            var wanted = desired.Select(version => (version.Model, version.Version)).ToHashSet();
            Loads.RetainOnly(wanted);
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

    /// <summary>Loads a version and runs its warmup, so that it is never served cold.</summary>
    private OnnxModel LoadAndWarmUp(DesiredVersion version, string path, OnnxModelOptions modelOptions, ModelConfiguration configuration)
    {
        var model = OnnxModel.Load(version.Model, version.Version, path, modelOptions, logger, configuration);
        try
        {
            var warmup = ModelWarmup.Run(model, logger: logger).ToList();
            if (ExecutionPlanner.NeedsTimings(configuration.InstanceCount, model.IntraOpThreads))
            {
                warmup.AddRange(ModelWarmup.Run(model, ExecutionPlanner.TimingRuns));
            }

            model.ApplyPlan(ExecutionPlanner.Choose(configuration.InstanceCount, model.IntraOpThreads, warmup, Environment.ProcessorCount));
            LogPlan(model.Name, model.Version, model.Plan.Reason);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A control-plane version brings its serving configuration in the routing table (none: the defaults computed
    /// from its signature); a local model folder keeps one beside the versions, <c>&lt;root&gt;/&lt;model&gt;/config.json</c>.
    /// </summary>
    private ModelConfiguration ConfigurationFor(DesiredVersion version, string path)
    {
        if (!string.IsNullOrWhiteSpace(version.ServingConfigJson))
        {
            return ModelConfigurationParser.Parse(version.ServingConfigJson, $"serving configuration of model '{version.Model}' version {version.Version}");
        }

        var root = options.Value.ModelRepository;
        if (string.IsNullOrWhiteSpace(root)
            || Path.GetFullPath(path) != Path.GetFullPath(Path.Combine(root, version.Model, version.Version, LocalModelFolder.ModelFileName)))
        {
            return ModelConfiguration.Default;
        }

        return ModelConfigurationParser.LoadFromFolder(Path.Combine(root, version.Model)) ?? ModelConfiguration.Default;
    }

    /// <summary>
    /// Changes when a version's configuration does (its own from the control plane, or a local model's
    /// <c>config.json</c>), so that a new configuration reloads the version.
    /// </summary>
    private string ConfigurationStamp(DesiredVersion version)
    {
        if (!string.IsNullOrWhiteSpace(version.ServingConfigJson))
        {
            return "|config@" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(version.ServingConfigJson)));
        }

        var model = version.Model;
        var root = options.Value.ModelRepository;
        if (string.IsNullOrWhiteSpace(root))
        {
            return "";
        }

        var file = Path.Combine(root, model, ModelConfigurationParser.FileName);
        return File.Exists(file) ? $"|{ModelConfigurationParser.FileName}@{File.GetLastWriteTimeUtc(file).Ticks}" : "";
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load model {Model} version {Version} (attempt {Attempt}); next attempt at {NextAttemptAt:O}")]
    private partial void LogLoadFailed(Exception exception, string model, string version, int attempt, DateTimeOffset? nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} runs {Plan}")]
    private partial void LogPlan(string model, string version, string plan);
}
