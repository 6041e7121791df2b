namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// How the open-model dispatcher's own thread waits on its clock. On the system clock it sleeps to just inside the
/// spin window and spins the rest, and waits for a free slot on the semaphore itself: a timer's callback goes through
/// the thread pool and can come later than the lateness the dispatcher measures. On any other clock (a test's) it
/// waits on that clock's timers all the way, so that the clock alone decides when each send leaves.
/// </summary>
internal sealed class DispatcherWaits(TimeProvider time, TimeSpan spinWindow)
{
    private readonly bool _systemClock = ReferenceEquals(time, TimeProvider.System);
    private readonly long _spinTicks = time.ToTimestampTicks(spinWindow);

    /// <summary>Blocks until the clock reaches <paramref name="timestamp"/>, or the run is cancelled.</summary>
    public void Until(long timestamp, CancellationToken cancellationToken)
    {
        var spinner = new SpinWait();
        while (!cancellationToken.IsCancellationRequested)
        {
            var remaining = timestamp - time.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (!_systemClock)
            {
                Sleep(time.ToSpanRoundedUp(remaining), cancellationToken);
            }
            else if (remaining > _spinTicks)
            {
                // Sleep to just inside the spin window; Thread.Sleep(1) takes about a millisecond on Linux.
                var sleepMs = (int)((remaining - _spinTicks) * 1000 / time.TimestampFrequency);
                Thread.Sleep(Math.Max(1, sleepMs));
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>Takes a slot, waiting for one until the clock reaches <paramref name="deadline"/>; false if none came by then.</summary>
    public bool ForSlot(SemaphoreSlim slots, long deadline)
    {
        var untilDeadline = time.GetElapsedTime(time.GetTimestamp(), deadline);
        if (untilDeadline <= TimeSpan.Zero)
        {
            return false;
        }

        if (_systemClock)
        {
            return slots.Wait(untilDeadline, CancellationToken.None);
        }

        using var deadlinePassed = new CancellationTokenSource(untilDeadline, time);
        try
        {
            slots.Wait(deadlinePassed.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sleeps on one of the clock's timers. Not <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>:
    /// it rounds down to whole milliseconds, so it would wake before a send due in between and spin there.
    /// </summary>
    private void Sleep(TimeSpan span, CancellationToken cancellationToken)
    {
        var woken = new TaskCompletionSource();
        using var timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), woken, span, Timeout.InfiniteTimeSpan);
        try
        {
            woken.Task.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The run was cancelled; the caller sees it on the token.
        }
    }
}
