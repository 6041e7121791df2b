using MlopsAspire.Abstractions;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>One row of the repository index: a model version and whether it serves.</summary>
public sealed record RepositoryIndexEntry(string Name, string Version, string State, string Reason)
{
    public const string Ready = "READY";
    public const string Loading = "LOADING";
    public const string Unavailable = "UNAVAILABLE";
}

/// <summary>
/// The protocol's model repository operations (index, load, unload) over whatever decides what this replica
/// serves: a local model folder under explicit control, or the control plane's routing table.
/// </summary>
public interface IModelRepositoryControl
{
    /// <summary>Whether callers may load and unload models here (false where the control plane decides).</summary>
    bool AcceptsLoadAndUnload { get; }

    /// <summary>Every known model version and its state; only ready ones when <paramref name="readyOnly"/>.</summary>
    Task<IReadOnlyList<RepositoryIndexEntry>> IndexAsync(bool readyOnly, CancellationToken cancellationToken);

    /// <summary>Loads a model (every version found), or reloads it when already loaded.</summary>
    Task LoadAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>Unloads every version of a model once the requests already running on it finish.</summary>
    Task UnloadAsync(string modelName, CancellationToken cancellationToken);
}

/// <summary>Control-plane mode: the routing table decides what is served, so load and unload are refused.</summary>
public sealed class RoutingTableModelControl(ModelRepository repository, VersionLoadStates loads) : IModelRepositoryControl
{
    public bool AcceptsLoadAndUnload => false;

    /// <summary>Every routed version: loaded ones serve; one still loading or that failed says so, with the error.</summary>
    public Task<IReadOnlyList<RepositoryIndexEntry>> IndexAsync(bool readyOnly, CancellationToken cancellationToken)
    {
        var served = repository.LoadedModels.Select(model => (model.Name, model.Version)).ToHashSet();
        var entries = repository.LoadedModels
            .Select(model => new RepositoryIndexEntry(model.Name, model.Version, RepositoryIndexEntry.Ready, ""))
            .Concat(loads.Snapshot()
                .Where(load => !served.Contains((load.Model, load.Version)))
                .Select(load => load.State == VersionLoadState.Failed
                    ? new RepositoryIndexEntry(load.Model, load.Version, RepositoryIndexEntry.Unavailable, $"failed to load: {load.Error}")
                    : new RepositoryIndexEntry(load.Model, load.Version, RepositoryIndexEntry.Loading, "")))
            .Where(entry => !readyOnly || entry.State == RepositoryIndexEntry.Ready)
            .OrderBy(entry => entry.Name, StringComparer.Ordinal)
            .ThenBy(entry => entry.Version, VersionComparer.Instance)
            .ToList();
        return Task.FromResult<IReadOnlyList<RepositoryIndexEntry>>(entries);
    }

    public Task LoadAsync(string modelName, CancellationToken cancellationToken) => throw Refused("load", modelName);

    public Task UnloadAsync(string modelName, CancellationToken cancellationToken) => throw Refused("unload", modelName);

    private static ModelControlRefusedException Refused(string operation, string modelName) => new(
        $"cannot {operation} model '{EchoedText.Of(modelName)}': this replica serves what the control plane's routing table lists; "
        + "register, promote or retire versions through the management API instead");
}
