namespace MlopsAspire.Abstractions;

/// <summary>
/// The trail of refused management calls (missing or unknown key, insufficient role). A single activation
/// (key <see cref="SingletonKey"/>) keeping the most recent <see cref="Capacity"/> events.
/// </summary>
public interface ISecurityAuditGrain : IGrainWithIntegerKey
{
    const long SingletonKey = 0;

    const int Capacity = 1_000;

    Task RecordAsync(SecurityAuditEvent auditEvent);

    /// <summary>The newest <paramref name="limit"/> events, oldest first.</summary>
    Task<IReadOnlyList<SecurityAuditEvent>> GetRecentAsync(int limit);
}

/// <summary>
/// A refused call: who (the key's name, or a fingerprint of an unknown key, never the key), what, the outcome
/// (<c>unauthenticated</c> or <c>permission-denied</c>) and the model it named, if any.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SecurityAuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Caller,
    [property: Id(2)] string Operation,
    [property: Id(3)] string Outcome,
    [property: Id(4)] string Detail,
    [property: Id(5)] string? ModelName);
