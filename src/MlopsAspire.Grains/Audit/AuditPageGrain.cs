namespace MlopsAspire.Grains.Audit;

/// <summary>Stores one page of an audit trail; out of memory again soon after it is written.</summary>
public sealed class AuditPageGrain<TEvent>(
    [PersistentState("audit-page", GrainStorageNames.Models)] IPersistentState<AuditPageState<TEvent>> state)
    : Grain, IAuditPageGrain<TEvent>
{
    public async Task WriteAsync(IReadOnlyList<TEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        state.State.Events = new List<TEvent>(events);
        await state.WriteStateAsync();
        // A sealed page is history: read rarely, so it does not stay in memory after it is written.
        DeactivateOnIdle();
    }

    public Task<IReadOnlyList<TEvent>> ReadAsync() => Task.FromResult<IReadOnlyList<TEvent>>(state.State.Events.ToList());

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
