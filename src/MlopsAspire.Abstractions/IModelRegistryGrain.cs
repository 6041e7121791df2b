namespace MlopsAspire.Abstractions;

/// <summary>
/// The catalogue of model names and the routing table built from them. A single activation
/// (key <see cref="SingletonKey"/>) so that every replica sees one consistent stamp.
/// </summary>
public interface IModelRegistryGrain : IGrainWithIntegerKey
{
    const long SingletonKey = 0;

    Task<IReadOnlyList<string>> ListModelsAsync();

    /// <summary>The current routing table; replicas poll this, and subscribe to hear of changes at once.</summary>
    Task<RoutingTable> GetRoutingTableAsync();

    /// <summary>
    /// Pushes every new routing table to <paramref name="observer"/> until it unsubscribes or stops renewing: a
    /// subscription lapses after <see cref="ModelObservers.SubscriptionLifetime"/>, so subscribe again well within it.
    /// Pushes are one-way and may be lost, so keep polling <see cref="GetRoutingTableAsync"/> as well.
    /// </summary>
    Task SubscribeAsync(IRoutingTableObserver observer);

    Task UnsubscribeAsync(IRoutingTableObserver observer);

    /// <summary>Called by a model grain whenever its routable state changes.</summary>
    Task PublishModelRouteAsync(ModelRoute? route, string modelName);
}

/// <summary>Receives each routing table as soon as its stamp grows.</summary>
public interface IRoutingTableObserver : IGrainObserver
{
    void RoutingTableChanged(RoutingTable table);
}
