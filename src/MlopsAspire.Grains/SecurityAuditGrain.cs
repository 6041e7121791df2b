using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains;

/// <summary>Persisted security trail. Versioned contract: fields are only added, never renamed.</summary>
[GenerateSerializer]
public sealed class SecurityAuditState
{
    [Id(0)] public List<SecurityAuditEvent> Events { get; set; } = [];
}

/// <summary>Keeps the most recent refused management calls, oldest dropped first.</summary>
public sealed class SecurityAuditGrain(
    [PersistentState("security-audit", GrainStorageNames.Models)] IPersistentState<SecurityAuditState> state)
    : Grain, ISecurityAuditGrain
{
    public async Task RecordAsync(SecurityAuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var events = state.State.Events;
        events.Add(auditEvent);
        if (events.Count > ISecurityAuditGrain.Capacity)
        {
            events.RemoveRange(0, events.Count - ISecurityAuditGrain.Capacity);
        }

        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<SecurityAuditEvent>> GetRecentAsync(int limit)
    {
        var events = state.State.Events;
        var count = Math.Clamp(limit, 0, events.Count);
        return Task.FromResult<IReadOnlyList<SecurityAuditEvent>>(events.GetRange(events.Count - count, count));
    }
}
