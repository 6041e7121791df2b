using Microsoft.Extensions.Time.Testing;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// A clock for code that paces itself with timers (one-shot or periodic): it stands still while that code works, and
/// jumps to the earliest pending timer only when the test says the work of the moment is done. Time on it is what the
/// schedule says, however slow or busy the machine.
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

    /// <summary>
    /// Runs <paramref name="update"/> under the clock's lock: state that a driver's condition reads changes in step
    /// with the timers, never halfway through its reading.
    /// </summary>
    public T Update<T>(Func<T> update)
    {
        lock (_gate)
        {
            return update();
        }
    }

    /// <inheritdoc cref="Update{T}(Func{T})"/>
    public void Update(Action update)
    {
        lock (_gate)
        {
            update();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new PendingTimer(this);
        // Counted and started in one step: a driver that moved the clock in between would leave the timer due later
        // than it counts it, and wait on it forever.
        lock (_gate)
        {
            timer.Arm(dueTime, period);
            timer.Inner = _time.CreateTimer(
                pendingState =>
                {
                    timer.Fired();
                    callback(pendingState);
                },
                state,
                dueTime,
                period);
        }

        return timer;
    }

    /// <summary>
    /// Moves the clock until <paramref name="run"/> ends: to the earliest pending timer each time
    /// <paramref name="settled"/> holds for the number of timers pending (it runs under the clock's lock, so what it
    /// reads through <see cref="Update{T}(Func{T})"/> agrees with that number); otherwise it lets the work of the moment run.
    /// </summary>
    /// <param name="safetyNet">Real time the run may take before the test gives up: a net for a hang, never a measurement.</param>
    public async Task<T> DriveAsync<T>(Task<T> run, Func<int, bool> settled, TimeSpan safetyNet)
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
                if (_pending.Count > 0 && settled(_pending.Count))
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
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer? Inner { get; set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                _period = period;
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

        /// <summary>A one-shot timer is done; a periodic one is due again a period from now.</summary>
        public void Fired()
        {
            lock (clock._gate)
            {
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
                {
                    clock._pending.Remove(this);
                }
                else
                {
                    clock._pending[this] = clock._time.GetUtcNow() + _period;
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                Arm(dueTime, period);
                return Inner!.Change(dueTime, period);
            }
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._pending.Remove(this);
                Inner?.Dispose();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
