using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Serving;

/// <summary>
/// The model versions this process serves and each model's default version. Reads are lock-free over an
/// immutable snapshot; writes swap the snapshot. Unloading a version waits (by lease count) for requests
/// that still use it before its session is disposed.
/// </summary>
/// <param name="metrics">Where loaded versions report their OpenTelemetry instruments; none without it.</param>
public sealed partial class ModelRepository(ILogger<ModelRepository>? logger = null, ServingMetrics? metrics = null) : IDisposable
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly Lock _writeLock = new();
    private volatile ImmutableSortedDictionary<string, ServedModel> _models =
        ImmutableSortedDictionary.Create<string, ServedModel>(StringComparer.Ordinal);
    private volatile bool _ready;

    /// <summary>
    /// Whether the server has applied its first model set (routing table or local folder) and loaded all of it.
    /// Set by whoever loads models.
    /// </summary>
    public bool IsReady => _ready;

    public void SetReady(bool ready) => _ready = ready;

    public IReadOnlyList<string> ModelNames => [.. _models.Keys];

    /// <summary>Loaded versions of a model, numeric versions in numeric order; empty when not served.</summary>
    public IReadOnlyList<string> GetVersions(string modelName) =>
        _models.TryGetValue(modelName, out var served) ? [.. served.Versions.Keys] : [];

    /// <summary>Every loaded (model, version) pair.</summary>
    public IReadOnlyList<OnnxModel> LoadedModels => [.. _models.Values.SelectMany(served => served.Versions.Values)];

    /// <summary>Adds a loaded version, replacing (and unloading) a previous instance of the same version.</summary>
    public void Add(OnnxModel model)
    {
        OnnxModel? replaced = null;
        lock (_writeLock)
        {
            var served = _models.GetValueOrDefault(model.Name) ?? ServedModel.Empty;
            replaced = served.Versions.GetValueOrDefault(model.Version);
            _models = _models.SetItem(model.Name, served with { Versions = served.Versions.SetItem(model.Version, model) });
        }

        replaced?.Dispose();
        metrics?.Attach(model.Statistics);
        LogLoaded(_logger, model.Name, model.Version, model.ExecutionProvider);
    }

    /// <summary>Unloads a version; in-flight requests finish on it first. False when it was not loaded.</summary>
    public bool Remove(string modelName, string version)
    {
        OnnxModel? removed;
        lock (_writeLock)
        {
            if (!_models.TryGetValue(modelName, out var served) || !served.Versions.TryGetValue(version, out removed))
            {
                return false;
            }

            var versions = served.Versions.Remove(version);
            _models = versions.IsEmpty && served.DefaultVersion is null
                ? _models.Remove(modelName)
                : _models.SetItem(modelName, served with { Versions = versions });
        }

        removed.Dispose();
        LogUnloaded(_logger, modelName, version);
        return true;
    }

    /// <summary>Sets the version that answers requests without a pinned version (the production version).</summary>
    public void SetDefaultVersion(string modelName, string? version)
    {
        lock (_writeLock)
        {
            var served = _models.GetValueOrDefault(modelName) ?? ServedModel.Empty;
            var updated = served with { DefaultVersion = string.IsNullOrEmpty(version) ? null : version };
            _models = updated.Versions.IsEmpty && updated.DefaultVersion is null
                ? _models.Remove(modelName)
                : _models.SetItem(modelName, updated);
        }
    }

    /// <summary>Whether the version (or the default one when <paramref name="version"/> is empty) is loaded.</summary>
    public bool IsModelReady(string modelName, string? version) => TryResolve(modelName, version, out _);

    public bool TryResolve(string modelName, string? version, out OnnxModel model)
    {
        model = null!;
        if (!_models.TryGetValue(modelName, out var served))
        {
            return false;
        }

        var wanted = string.IsNullOrEmpty(version) ? served.DefaultVersion : version;
        if (wanted is null || !served.Versions.TryGetValue(wanted, out var found))
        {
            return false;
        }

        model = found;
        return true;
    }

    /// <summary>The version a request names, or the default one; <see cref="InferenceException"/> (NotFound) otherwise.</summary>
    public OnnxModel Resolve(string modelName, string? version)
    {
        var snapshot = _models;
        if (!snapshot.TryGetValue(modelName, out var served) || served.Versions.IsEmpty)
        {
            var names = snapshot.Where(pair => !pair.Value.Versions.IsEmpty).Select(pair => pair.Key).ToList();
            throw InferenceException.NotFound(names.Count == 0
                ? $"model '{EchoedText.Of(modelName)}' is not served; no models are loaded"
                : $"model '{EchoedText.Of(modelName)}' is not served; served models: {string.Join(", ", names)}");
        }

        if (string.IsNullOrEmpty(version))
        {
            if (served.DefaultVersion is null)
            {
                throw InferenceException.NotFound(
                    $"model '{modelName}' has no default version; pin one of the loaded versions: {string.Join(", ", served.Versions.Keys)}");
            }

            version = served.DefaultVersion;
        }

        return served.Versions.TryGetValue(version, out var model)
            ? model
            : throw InferenceException.NotFound(
                $"model '{modelName}' has no version '{EchoedText.Of(version)}'; loaded versions: {string.Join(", ", served.Versions.Keys)}");
    }

    /// <summary>Resolves and takes a lease; call <see cref="OnnxModel.Release"/> when done with it and its outputs.</summary>
    public OnnxModel Acquire(string modelName, string? version)
    {
        // A version unloaded between resolving and leasing is retried against the new snapshot.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var model = Resolve(modelName, version);
            if (model.TryAcquire())
            {
                return model;
            }
        }

        throw new InferenceException(
            InferenceErrorKind.Unavailable,
            $"model '{EchoedText.Of(modelName)}' version '{EchoedText.Of(version)}' is being reloaded; retry");
    }

    public void Dispose()
    {
        ImmutableSortedDictionary<string, ServedModel> models;
        lock (_writeLock)
        {
            models = _models;
            _models = _models.Clear();
            _ready = false;
        }

        foreach (var model in models.Values.SelectMany(served => served.Versions.Values))
        {
            model.Dispose();
        }
    }

    private sealed record ServedModel(ImmutableSortedDictionary<string, OnnxModel> Versions, string? DefaultVersion)
    {
        public static ServedModel Empty { get; } = new(ImmutableSortedDictionary.Create<string, OnnxModel>(VersionComparer.Instance), null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} version {Version} on {Provider}")]
    private static partial void LogLoaded(ILogger logger, string model, string version, ExecutionProvider provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model} version {Version}")]
    private static partial void LogUnloaded(ILogger logger, string model, string version);
}
