using Microsoft.Extensions.Options;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Configuration;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// A local Triton-style model folder, <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with numeric versions,
/// under explicit model control: what each model's version policy selects (config.json's; every version when the
/// model has no config.json) is loaded at startup, then models are loaded (read again from disk) and unloaded by name. Each
/// model's highest served version is its default.
/// </summary>
public sealed partial class LocalModelFolder(
    ModelSetReconciler reconciler,
    ModelRepository repository,
    IOptions<InferenceOptions> options,
    ILogger<LocalModelFolder> logger) : IModelRepositoryControl, IDisposable
{
    public const string ModelFileName = "model.onnx";
    private const string LoadFailedReason = "failed to load; see the server log";

    private readonly SemaphoreSlim _gate = new(1, 1);

    // The models callers want served, each with the versions found when it was last read from disk.
    private readonly Dictionary<string, FolderModel> _wanted = new(StringComparer.Ordinal);

    public string? Root => options.Value.ModelRepository;

    public bool AcceptsLoadAndUnload => true;

    /// <summary>Loads every model of the folder; true when every version loaded.</summary>
    public async Task<bool> LoadAllAsync(CancellationToken cancellationToken)
    {
        var root = RequireRoot();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _wanted.Clear();
            foreach (var model in ScanFolder(root))
            {
                if (model.Versions.Count > 0)
                {
                    _wanted[model.Name] = model;
                }
            }

            return await ApplyAsync(root, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<RepositoryIndexEntry>> IndexAsync(bool readyOnly, CancellationToken cancellationToken)
    {
        var root = RequireRoot();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var onDisk = ScanFolder(root).ToDictionary(model => model.Name, StringComparer.Ordinal);
            var errors = reconciler.Loads.Snapshot()
                .Where(load => load.Error is not null)
                .ToDictionary(load => (load.Model, load.Version), load => load.Error);
            var entries = new List<RepositoryIndexEntry>();
            foreach (var name in onDisk.Keys.Union(repository.ModelNames).Order(StringComparer.Ordinal))
            {
                var versions = repository.GetVersions(name)
                    .Union(onDisk.TryGetValue(name, out var found) ? found.Versions.Select(version => version.Version) : [])
                    .Order(VersionComparer.Instance)
                    .ToList();
                if (versions.Count == 0)
                {
                    entries.Add(new RepositoryIndexEntry(name, "", RepositoryIndexEntry.Unavailable, $"no numeric version folder holds {ModelFileName}"));
                    continue;
                }

                foreach (var version in versions)
                {
                    if (repository.IsModelReady(name, version))
                    {
                        entries.Add(new RepositoryIndexEntry(name, version, RepositoryIndexEntry.Ready, ""));
                    }
                    else
                    {
                        var wanted = _wanted.TryGetValue(name, out var model) && model.Versions.Any(desired => desired.Version == version);
                        var error = errors.GetValueOrDefault((name, version));
                        entries.Add(new RepositoryIndexEntry(
                            name, version, RepositoryIndexEntry.Unavailable, !wanted ? "unloaded" : error is null ? LoadFailedReason : $"failed to load: {error}"));
                    }
                }
            }

            return readyOnly ? [.. entries.Where(entry => entry.State == RepositoryIndexEntry.Ready)] : entries;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task LoadAsync(string modelName, CancellationToken cancellationToken)
    {
        var root = RequireRoot();
        RequireModelName(modelName);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var folder = Path.Combine(root, modelName);
            if (!Directory.Exists(folder))
            {
                var available = Directory.Exists(root) ? Directory.EnumerateDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : [];
                throw InferenceException.NotFound(available.Count == 0
                    ? $"model '{EchoedText.Of(modelName)}' is not in the model repository {root}, which holds no models"
                    : $"model '{EchoedText.Of(modelName)}' is not in the model repository {root}; models there: {string.Join(", ", available)}");
            }

            var model = ScanModel(folder);
            if (model.Versions.Count == 0)
            {
                throw InferenceException.InvalidArgument(
                    $"model '{modelName}' has no version to load: versions are numeric folders under {folder} holding {ModelFileName}");
            }

            _wanted[modelName] = model;
            reconciler.Loads.RetryNow(modelName);
            // Not the caller's token: a cancelled call must not leave the model set half applied.
            await ApplyAsync(root, CancellationToken.None);

            var failed = model.Versions.Where(version => !repository.IsModelReady(modelName, version.Version)).Select(version => version.Version).ToList();
            if (failed.Count > 0)
            {
                var errors = reconciler.Loads.Snapshot()
                    .Where(load => load.Model == modelName && failed.Contains(load.Version) && load.Error is not null)
                    .Select(load => $"version {load.Version}: {load.Error}");
                throw new InferenceException(
                    InferenceErrorKind.Internal,
                    $"model '{modelName}' version {string.Join(", ", failed)} failed to load from {folder}: {string.Join("; ", errors)}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task UnloadAsync(string modelName, CancellationToken cancellationToken)
    {
        var root = RequireRoot();
        RequireModelName(modelName);
        List<OnnxModel> unloading;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            unloading = [.. repository.LoadedModels.Where(model => model.Name == modelName)];
            var wasWanted = _wanted.Remove(modelName);
            if (!wasWanted && unloading.Count == 0)
            {
                if (Directory.Exists(Path.Combine(root, modelName)))
                {
                    return; // Already unloaded.
                }

                var served = repository.ModelNames;
                throw InferenceException.NotFound(served.Count == 0
                    ? $"model '{EchoedText.Of(modelName)}' is neither loaded nor in the model repository; no models are loaded"
                    : $"model '{EchoedText.Of(modelName)}' is neither loaded nor in the model repository; loaded models: {string.Join(", ", served)}");
            }

            await ApplyAsync(root, CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }

        // Requests already running keep their lease on the version; answer once they are done and it is freed.
        while (unloading.Any(model => !model.IsDisposed))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }

        LogUnloaded(modelName);
    }

    private async Task<bool> ApplyAsync(string root, CancellationToken cancellationToken)
    {
        var desired = _wanted.Values.SelectMany(model => model.Versions).ToList();
        var defaults = _wanted.Values.ToDictionary(model => model.Name, model => model.DefaultVersion, StringComparer.Ordinal);
        var allLoaded = await reconciler.ApplyAsync(
            desired,
            defaults,
            (version, _) => Task.FromResult(Path.Combine(root, version.Model, version.Version, ModelFileName)),
            cancellationToken);
        repository.SetReady(allLoaded);
        return allLoaded;
    }

    private string RequireRoot()
    {
        var root = Root;
        return string.IsNullOrWhiteSpace(root)
            ? throw new ModelControlRefusedException("no model repository is configured (Inference:ModelRepository)")
            : root;
    }

    private static void RequireModelName(string modelName)
    {
        if (string.IsNullOrEmpty(modelName))
        {
            throw InferenceException.InvalidArgument("model_name is required");
        }

        // A model is one folder directly under the root; nothing may reach outside it.
        if (modelName != Path.GetFileName(modelName) || modelName is "." or "..")
        {
            throw InferenceException.InvalidArgument($"model name '{EchoedText.Of(modelName)}' is not a folder name under the model repository");
        }
    }

    private List<FolderModel> ScanFolder(string root)
    {
        if (!Directory.Exists(root))
        {
            LogNoFolder(root);
            return [];
        }

        return [.. Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).Select(ScanModel)];
    }

    private FolderModel ScanModel(string modelDirectory)
    {
        var model = Path.GetFileName(modelDirectory);
        var found = new List<(long Number, DesiredVersion Version)>();
        foreach (var versionDirectory in Directory.EnumerateDirectories(modelDirectory))
        {
            var version = Path.GetFileName(versionDirectory);
            var file = Path.Combine(versionDirectory, ModelFileName);
            if (!long.TryParse(version, out var number) || number < 0 || !File.Exists(file))
            {
                LogSkipping(versionDirectory, ModelFileName);
                continue;
            }

            // The write time in the key makes a changed file load again.
            found.Add((number, new DesiredVersion(model, version, $"{file}@{File.GetLastWriteTimeUtc(file).Ticks}")));
        }

        // A config.json's version policy picks what is served (latest 1 when it names none, as in Triton); a
        // model folder without config.json serves every version it holds.
        var policy = VersionPolicyOf(modelDirectory);
        var selected = policy.Select(found.Select(entry => entry.Number)).ToHashSet();
        var versions = found.Where(entry => selected.Contains(entry.Number)).OrderBy(entry => entry.Number).ToList();
        if (versions.Count < found.Count)
        {
            LogVersionPolicy(model, policy, versions.Count, found.Count);
        }

        return new FolderModel(model, [.. versions.Select(entry => entry.Version)], versions.Count == 0 ? null : versions[^1].Version.Version);
    }

    private VersionPolicy VersionPolicyOf(string modelDirectory)
    {
        try
        {
            return ModelConfigurationParser.LoadFromFolder(modelDirectory)?.VersionPolicy ?? VersionPolicy.All;
        }
        catch (ModelConfigurationException exception)
        {
            // Loading reports the bad file for every version; until it is fixed, consider them all.
            LogUnreadablePolicy(exception, modelDirectory);
            return VersionPolicy.All;
        }
    }

    private sealed record FolderModel(string Name, IReadOnlyList<DesiredVersion> Versions, string? DefaultVersion);

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model} on request")]
    private partial void LogUnloaded(string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model repository folder {Root} does not exist")]
    private partial void LogNoFolder(string root);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping {Folder}: versions are numeric folders holding {File}")]
    private partial void LogSkipping(string folder, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: version policy {Policy} serves {Served} of {Found} versions")]
    private partial void LogVersionPolicy(string model, VersionPolicy policy, int served, int found);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot read the version policy of {Folder}")]
    private partial void LogUnreadablePolicy(Exception exception, string folder);
}
