using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains.Audit;

/// <summary>
/// An append-only audit trail kept by one grain. New events join the tail in the owner's state and are written
/// with it, so an event and the change it records are stored together; each full page of <see cref="PageSize"/>
/// events is then sealed, once, into its own <see cref="IAuditPageGrain{TEvent}"/> and leaves the owner's state.
/// Appending costs a bounded write whatever the history's length, and reading any stretch costs one page read per
/// <see cref="PageSize"/> events. With a retention limit, the oldest pages are dropped whole.
/// </summary>
/// <remarks>
/// Sealing writes the page before the owner forgets the events, so a failure between the two leaves them in the
/// tail and the same page is written again, with the same events, the next time.
/// </remarks>
internal sealed partial class AuditTrail<TEvent>(
    Func<AuditTrailState<TEvent>> state,
    string key,
    IGrainFactory grains,
    ILogger logger,
    long? retainedEvents = null)
{
    public const int PageSize = 64;

    private AuditTrailState<TEvent> State => state();

    /// <summary>Events ever appended: the number the next one gets.</summary>
    public long Total => State.Sealed + State.Tail.Count;

    /// <summary>Adds events to the tail; the owner then writes its state and calls <see cref="SealAsync"/>.</summary>
    public void Append(IEnumerable<TEvent> events) => State.Tail.AddRange(events);

    /// <summary>
    /// Seals every full page of the tail and writes the owner's state (through <paramref name="writeOwnerState"/>)
    /// when that emptied the tail. A failure is logged, not thrown: the events stay in the tail, already stored.
    /// </summary>
    public async Task SealAsync(Func<Task> writeOwnerState)
    {
        var trail = State;
        if (trail.Tail.Count < PageSize)
        {
            return;
        }

        try
        {
            while (trail.Tail.Count >= PageSize)
            {
                await Page(trail.Sealed / PageSize).WriteAsync(trail.Tail.GetRange(0, PageSize));
                trail.Tail.RemoveRange(0, PageSize);
                trail.Sealed += PageSize;
            }

            // Pages beyond retention are dropped only once the owner no longer counts them as kept.
            var dropFrom = trail.Oldest;
            trail.Oldest = KeepFrom(trail);
            await writeOwnerState();
            for (var page = dropFrom / PageSize; page < trail.Oldest / PageSize; page++)
            {
                await Page(page).ClearAsync();
            }
        }
        catch (Exception exception)
        {
            LogSealFailed(exception, key, trail.Sealed / PageSize);
        }
    }

    /// <summary>
    /// Up to <paramref name="count"/> events from number <paramref name="start"/> on (negative: counted back from
    /// the end), oldest first, within what is kept.
    /// </summary>
    public async Task<AuditSlice<TEvent>> ReadAsync(long start, int count)
    {
        var trail = State;
        var total = Total;
        var from = Math.Clamp(start < 0 ? total + start : start, trail.Oldest, total);
        var to = Math.Min(total, from + Math.Clamp(count, 0, AuditSlices.MaxEvents));
        var events = new List<TEvent>((int)(to - from));
        var position = from;
        while (position < to && position < trail.Sealed)
        {
            var page = position / PageSize;
            var stored = await Page(page).ReadAsync();
            var offset = (int)(position - (page * PageSize));
            if (stored.Count != PageSize)
            {
                throw new InvalidOperationException(
                    $"Page {page} of audit trail '{key}' holds {stored.Count} events instead of {PageSize}; events {page * PageSize}-{((page + 1) * PageSize) - 1} cannot be read.");
            }

            var take = (int)Math.Min(to - position, PageSize - offset);
            events.AddRange(stored.Skip(offset).Take(take));
            position += take;
        }

        if (position < to)
        {
            events.AddRange(trail.Tail.GetRange((int)(position - trail.Sealed), (int)(to - position)));
        }

        return new AuditSlice<TEvent>(from, events, total, trail.Oldest);
    }

    /// <summary>The oldest event kept: whole pages only, and only those entirely older than the newest retained events.</summary>
    private long KeepFrom(AuditTrailState<TEvent> trail) =>
        retainedEvents is { } retained
            ? Math.Max(trail.Oldest, Math.Min(trail.Sealed, Math.Max(0, Total - retained) / PageSize * PageSize))
            : trail.Oldest;

    private IAuditPageGrain<TEvent> Page(long page) => grains.GetGrain<IAuditPageGrain<TEvent>>($"{key}/{page}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not seal page {Page} of audit trail {Trail}; its events stay in the owner's state and are sealed later")]
    private partial void LogSealFailed(Exception exception, string trail, long page);
}
