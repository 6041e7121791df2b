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
