namespace MlopsAspire.Abstractions;

/// <summary>
/// A stretch of an append-only audit trail. Events are numbered from 0 in the order they were appended and keep
/// their number for good: <see cref="Events"/> are those numbered from <see cref="Start"/> on, oldest first.
/// <see cref="Total"/> is how many were ever appended (the next event's number); events before
/// <see cref="Oldest"/> are no longer kept (a trail with a retention limit drops whole pages of its oldest).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuditSlice<TEvent>(
    [property: Id(0)] long Start,
    [property: Id(1)] IReadOnlyList<TEvent> Events,
    [property: Id(2)] long Total,
    [property: Id(3)] long Oldest);

/// <summary>How much of a trail one read may return.</summary>
public static class AuditSlices
{
    /// <summary>The most events one read returns; ask again from where it ended for more.</summary>
    public const int MaxEvents = 1000;
}
