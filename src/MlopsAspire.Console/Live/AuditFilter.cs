namespace MlopsAspire.Console.Live;

/// <summary>
/// Which audit events a person asked to see: by actor, action and model (each exact, empty for any) and by time
/// (from inclusive, until exclusive, in UTC). The events are read from the management API; the filter only narrows them.
/// </summary>
public sealed record AuditFilter(string Actor = "", string Action = "", string Model = "", DateTimeOffset? From = null, DateTimeOffset? Until = null)
{
    public bool Matches(ModelAuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var at = entry.Event.At?.ToDateTimeOffset();
        return (Actor.Length == 0 || entry.Event.Actor == Actor)
            && (Action.Length == 0 || entry.Event.Action == Action)
            && (Model.Length == 0 || entry.Model == Model)
            && (From is not { } from || at >= from)
            && (Until is not { } until || at < until);
    }

    /// <summary>The events that match, newest first.</summary>
    public IReadOnlyList<ModelAuditEvent> Apply(IEnumerable<ModelAuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return [.. events.Where(Matches).OrderByDescending(e => e.Event.At?.ToDateTimeOffset() ?? DateTimeOffset.MinValue).ThenBy(e => e.Model, StringComparer.Ordinal)];
    }
}
