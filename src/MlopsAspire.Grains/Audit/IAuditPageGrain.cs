namespace MlopsAspire.Grains.Audit;

/// <summary>
/// One sealed page of an audit trail (key: <c>trail/page-number</c>): its events are written once, when the page
/// fills, and only read after that. A page lives in its own grain state, so the grain that owns the trail never
/// reads or rewrites its history.
/// </summary>
public interface IAuditPageGrain<TEvent> : IGrainWithStringKey
{
    Task WriteAsync(IReadOnlyList<TEvent> events);

    /// <summary>The page's events, oldest first; empty for a page never written or dropped.</summary>
    Task<IReadOnlyList<TEvent>> ReadAsync();

    /// <summary>Drops the page (retention).</summary>
    Task ClearAsync();
}
