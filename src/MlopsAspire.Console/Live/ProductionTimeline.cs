using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>Which version was in production when, read from the audit trail's moves into production (promote, rollback).</summary>
public static class ProductionTimeline
{
    public const string ProductionState = "Production";

    /// <summary>The spells in time order; each ends when the next begins, the last runs on.</summary>
    public static IReadOnlyList<ProductionSpell> From(IEnumerable<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var moves = events
            .Where(e => e.To == ProductionState && e.At is not null)
            .OrderBy(e => e.Sequence)
            .ToList();
        return [.. moves.Select((move, i) => new ProductionSpell(
            move.Version,
            move.At.ToDateTimeOffset(),
            i + 1 < moves.Count ? moves[i + 1].At.ToDateTimeOffset() : null,
            move.Actor,
            move.Action,
            move.Reason))];
    }
}
