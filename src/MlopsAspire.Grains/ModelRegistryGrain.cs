using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;
using Orleans.Utilities;

namespace MlopsAspire.Grains;

/// <summary>
/// Builds the routing table from what model grains publish. The stamp is persisted with the
/// routes, so it keeps growing across restarts and replicas never apply an older table. Each new table is
/// pushed to the subscribed replicas; subscriptions live in memory only, and replicas renew them.
/// </summary>
public sealed class ModelRegistryGrain(
    [PersistentState("registry", GrainStorageNames.Models)] IPersistentState<ModelRegistryState> state,
    ILogger<ModelRegistryGrain> logger)
    : Grain, IModelRegistryGrain
{
    private readonly ObserverManager<IRoutingTableObserver> _observers = new(ModelObservers.SubscriptionLifetime, logger);
    private RoutingTable? _table;

    public Task<IReadOnlyList<string>> ListModelsAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.ModelNames]);

    public Task<RoutingTable> GetRoutingTableAsync() => Task.FromResult(CurrentTable());

    public Task SubscribeAsync(IRoutingTableObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IRoutingTableObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public async Task PublishModelRouteAsync(ModelRoute? route, string modelName)
    {
        var changed = state.State.ModelNames.Add(modelName);
        if (route is null)
        {
            changed |= state.State.Routes.Remove(modelName);
        }
        else if (!state.State.Routes.TryGetValue(modelName, out var current) || !current.Equals(route))
        {
            state.State.Routes[modelName] = StoredForms.Of(route);
            changed = true;
        }

        if (!changed)
        {
            return;
        }

        state.State.Stamp++;
        await state.WriteStateAsync();
        _table = null;

        // Only after the write: a replica must never be told of a table that a restart could take back.
        var table = CurrentTable();
        _observers.Notify(observer => observer.RoutingTableChanged(table));
    }

    private RoutingTable CurrentTable() =>
        _table ??= new RoutingTable(
            state.State.Stamp,
            [.. state.State.Routes.Values.OrderBy(route => route.ModelName, StringComparer.Ordinal)]);
}
