using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;
using MlopsAspire.Grains.Audit;

namespace MlopsAspire.Grains;

/// <summary>
/// Appends refused management calls to a paged trail: each call writes one bounded entry and a tail of fewer than
/// a page, never the history; the newest <see cref="ISecurityAuditGrain.RetainedEvents"/> are kept.
/// </summary>
public sealed class SecurityAuditGrain(
    [PersistentState("security-audit", GrainStorageNames.Models)] IPersistentState<SecurityAuditState> state,
    ILogger<SecurityAuditGrain> logger)
    : Grain, ISecurityAuditGrain
{
    private AuditTrail<SecurityAuditEvent> _trail = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _trail = new AuditTrail<SecurityAuditEvent>(
            () => state.State.Trail, "security", GrainFactory, logger, ISecurityAuditGrain.RetainedEvents);
        if (state.State.Events.Count > 0)
        {
            // Kept whole (and unbounded) by earlier releases: bound each entry and page the lot.
            state.State.Trail.Tail.InsertRange(0, state.State.Events.Select(e => e.Bounded()));
            state.State.Events.Clear();
            await AppendAsync([]);
        }
    }

    public Task RecordAsync(SecurityAuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return AppendAsync([auditEvent.Bounded()]);
    }

    public Task<AuditSlice<SecurityAuditEvent>> ReadAsync(long start, int count) => _trail.ReadAsync(start, count);

    private async Task AppendAsync(IReadOnlyList<SecurityAuditEvent> events)
    {
        _trail.Append(events);
        await state.WriteStateAsync();
        await _trail.SealAsync(state.WriteStateAsync);
    }
}
