namespace MlopsAspire.Abstractions;

/// <summary>
/// The trail of refused management calls (missing or unknown key, insufficient role). A single activation
/// (key <see cref="SingletonKey"/>) appending to a paged, append-only trail that keeps the newest
/// <see cref="RetainedEvents"/> events (older pages are dropped whole). Each entry is bounded in size on the way in
/// (see <see cref="AuditText"/>).
/// </summary>
public interface ISecurityAuditGrain : IGrainWithIntegerKey
{
    const long SingletonKey = 0;

    /// <summary>How many of the newest events are kept, at least.</summary>
    const int RetainedEvents = 10_000;

    Task RecordAsync(SecurityAuditEvent auditEvent);

    /// <summary>
    /// Up to <paramref name="count"/> events (at most <see cref="AuditSlices.MaxEvents"/>) from number
    /// <paramref name="start"/> on, oldest first; a negative start counts back from the end (-100: the newest 100).
    /// </summary>
    Task<AuditSlice<SecurityAuditEvent>> ReadAsync(long start, int count);
}

/// <summary>
/// A refused call: who (the key's name, or a fingerprint of an unknown key, never the key), what, the outcome
/// (<c>unauthenticated</c>, <c>permission-denied</c>, or <c>suppressed</c> for a summary of refusals a caller
/// made beyond what is recorded one by one), the model it named, if any, and the address it came from.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SecurityAuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Caller,
    [property: Id(2)] string Operation,
    [property: Id(3)] string Outcome,
    [property: Id(4)] string Detail,
    [property: Id(5)] string? ModelName,
    [property: Id(6)] string? Peer = null)
{
    /// <summary>This event with every field bounded and escaped as <see cref="AuditText"/> says.</summary>
    public SecurityAuditEvent Bounded() => new(
        At,
        AuditText.Name(Caller),
        AuditText.Name(Operation),
        AuditText.Name(Outcome),
        AuditText.Text(Detail),
        AuditText.Name(ModelName),
        AuditText.Name(Peer));
}
