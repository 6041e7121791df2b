namespace MlopsAspire.Grains.Audit;

/// <summary>
/// The part of an audit trail its owner grain persists with its own state: where the sealed pages end and the
/// newest events, fewer than a page, not sealed yet. Versioned contract: fields are only added, never renamed.
/// </summary>
[GenerateSerializer]
public sealed class AuditTrailState<TEvent>
{
    /// <summary>Events sealed into pages so far: a whole number of pages.</summary>
    [Id(0)] public long Sealed { get; set; }

    /// <summary>The newest events, oldest first, numbered from <see cref="Sealed"/> on.</summary>
    [Id(1)] public List<TEvent> Tail { get; set; } = [];

    /// <summary>The number of the oldest event still kept; pages before it were dropped by retention.</summary>
    [Id(2)] public long Oldest { get; set; }
}
