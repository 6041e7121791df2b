namespace MlopsAspire.Inference.Models;

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
