namespace MlopsAspire.Abstractions;

/// <summary>
/// The catalogue of model names and the routing table built from them. A single activation
/// (key <see cref="SingletonKey"/>) so that every replica sees one consistent stamp.
/// </summary>
public interface IModelRegistryGrain : IGrainWithIntegerKey
{
    const long SingletonKey = 0;

    Task<IReadOnlyList<string>> ListModelsAsync();

    /// <summary>The current routing table; replicas poll or watch this.</summary>
    Task<RoutingTable> GetRoutingTableAsync();

    /// <summary>Called by a model grain whenever its routable state changes.</summary>
    Task PublishModelRouteAsync(ModelRoute? route, string modelName);
}
