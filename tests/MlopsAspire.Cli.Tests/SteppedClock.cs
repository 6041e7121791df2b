using Microsoft.Extensions.Time.Testing;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// A clock for code that paces itself with one-shot timers (<see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>):
/// it stands still while that code works, and jumps to the earliest pending timer only once the expected number of
/// timers are pending and the test says the work of the moment is done. Time on it is what the schedule says,
/// however slow or busy the machine.
/// </summary>
internal sealed class SteppedClock : TimeProvider
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DateTimeOffset _start;
    private readonly object _gate = new();
    private readonly Dictionary<PendingTimer, DateTimeOffset> _pending = [];

    public SteppedClock() => _start = _time.GetUtcNow();

    /// <summary>Time moved since the clock was made.</summary>
    public TimeSpan Elapsed => _time.GetUtcNow() - _start;

    public override long TimestampFrequency => _time.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow() => _time.GetUtcNow();

    public override long GetTimestamp() => _time.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan)
        {
            throw new NotSupportedException("A stepped clock serves one-shot timers only.");
        }

        var timer = new PendingTimer(this);
        timer.Arm(dueTime);
        timer.Inner = _time.CreateTimer(
            pendingState =>
            {
                timer.Disarm();
                callback(pendingState);
            },
            state,
            dueTime,
            period);
        return timer;
    }

    /// <summary>
    /// Moves the clock until <paramref name="run"/> ends: to the earliest pending timer each time exactly
    /// <paramref name="waiters"/> timers are pending and <paramref name="settled"/> holds; otherwise it lets the work run.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> run, int waiters, Func<bool> settled, TimeSpan safetyNet)
    {
        var giveUp = DateTime.UtcNow + safetyNet;
        while (!run.IsCompleted)
        {
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"the run did not end within {safetyNet} (clock at {Elapsed}, {_pending.Count} timers pending)");
            }

            DateTimeOffset? next = null;
            lock (_gate)
            {
                if (_pending.Count == waiters && settled())
                {
                    next = _pending.Values.Min();
                }
            }

            if (next is { } due)
            {
                var step = due - _time.GetUtcNow();
                _time.Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);
            }
            else
            {
                // Real time only lets the work of this moment run; nothing measured depends on how much passes.
                await Task.WhenAny(run, Task.Delay(1));
            }
        }

        return await run;
    }

    private sealed class PendingTimer(SteppedClock clock) : ITimer
    {
        public ITimer? Inner { get; set; }

        public void Arm(TimeSpan dueTime)
        {
            lock (clock._gate)
            {
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    clock._pending.Remove(this);
                }
                else
                {
                    clock._pending[this] = clock._time.GetUtcNow() + dueTime;
                }
            }
        }

        public void Disarm()
        {
            lock (clock._gate)
            {
                clock._pending.Remove(this);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (period != Timeout.InfiniteTimeSpan)
            {
                throw new NotSupportedException("A stepped clock serves one-shot timers only.");
            }

            Arm(dueTime);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            Disarm();
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
