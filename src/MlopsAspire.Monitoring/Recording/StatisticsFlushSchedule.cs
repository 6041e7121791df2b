namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// When to drain the statistics accumulators: at every multiple of <see cref="Interval"/> on the clock, so the
/// intervals of all replicas share boundaries and land in the same monitoring windows. A flush that runs late
/// moves on to the next boundary after the clock rather than flushing several times to catch up.
/// </summary>
public sealed class StatisticsFlushSchedule
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _timeProvider;

    public StatisticsFlushSchedule(TimeProvider timeProvider, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Interval = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero, nameof(interval));
        _timeProvider = timeProvider;
        NextFlush = BoundaryAfter(timeProvider.GetUtcNow());
    }

    public TimeSpan Interval { get; }

    /// <summary>When the next drain is due.</summary>
    public DateTimeOffset NextFlush { get; private set; }

    public bool IsDue => _timeProvider.GetUtcNow() >= NextFlush;

    /// <summary>How long to wait until the next drain; zero when it is due.</summary>
    public TimeSpan DelayUntilNextFlush()
    {
        var delay = NextFlush - _timeProvider.GetUtcNow();
        return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
    }

    /// <summary>Waits on the schedule's clock until the next drain is due.</summary>
    public Task WaitUntilDueAsync(CancellationToken cancellationToken = default) =>
        Task.Delay(DelayUntilNextFlush(), _timeProvider, cancellationToken);

    /// <summary>Call when the drain is due: returns the time to drain with (the end of the interval) and schedules the next drain.</summary>
    public DateTimeOffset BeginFlush()
    {
        var now = _timeProvider.GetUtcNow();
        NextFlush = BoundaryAfter(now);
        return now;
    }

    private DateTimeOffset BoundaryAfter(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % Interval.Ticks) + Interval.Ticks, TimeSpan.Zero);
    }
}
