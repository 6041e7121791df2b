using MlopsAspire.Abstractions;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Models;

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
