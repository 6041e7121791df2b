using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// Sends requests at their scheduled times on a dedicated thread, without waiting for responses, and records
/// each latency from the request's intended send time (like wrk2). A stalled server therefore shows in the
/// latencies of every request scheduled during the stall, instead of silently lowering the send rate
/// (coordinated omission). Sends that leave late, because the dispatcher fell behind or the in-flight limit
/// was reached, are counted; sends still blocked when the run ends are counted as missed. Every time is read
/// from <paramref name="time"/>.
/// </summary>
public sealed class OpenModelDispatcher(IRequestSender sender, ArrivalSchedule schedule, WorkloadSettings settings, TimeProvider time)
{
    /// <summary>How long requests still outstanding after the drain may take to notice their cancellation.</summary>
    private static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(5);

    private long _inFlight;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <param name="startTimestamp">The start of the run on <c>time</c>'s timestamp scale.</param>
    public async Task<DispatchOutcome> RunAsync(LatencyRecorder recorder, long startTimestamp, CancellationToken cancellationToken)
    {
        using var requestCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(settings.MaxInFlight, settings.MaxInFlight);
        var outstanding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _inFlight); // the dispatcher's own reference, dropped when it is done sending

        var counts = new DispatchCounts();
        var dispatcher = new Thread(() => Dispatch(recorder, startTimestamp, slots, counts, outstanding, requestCancellation.Token))
        {
            IsBackground = true,
            Name = "open-model dispatcher",
        };
        dispatcher.Start();
        await WaitForThreadAsync(dispatcher).ConfigureAwait(false);
        Release(outstanding);

        var finishedSending = time.GetTimestamp();
        if (!await outstanding.Task.CompletesWithinAsync(settings.DrainTimeout, time).ConfigureAwait(false))
        {
            // Whatever has not answered by now is counted as cancelled, so the run ends.
            await requestCancellation.CancelAsync().ConfigureAwait(false);
            await outstanding.Task.CompletesWithinAsync(CancellationGrace, time).ConfigureAwait(false);
        }

        return new DispatchOutcome(
            counts.Scheduled,
            counts.Sent,
            counts.Late,
            counts.Missed,
            LatencyHistograms.ToMilliseconds(LatencyHistograms.ToMicroseconds(time.GetElapsedTime(0, counts.MaxLagTicks))),
            time.GetElapsedTime(startTimestamp, finishedSending));
    }

    private void Dispatch(
        LatencyRecorder recorder,
        long startTimestamp,
        SemaphoreSlim slots,
        DispatchCounts counts,
        TaskCompletionSource outstanding,
        CancellationToken cancellationToken)
    {
        var waits = new DispatcherWaits(time, settings.SpinWindow);
        var endTimestamp = startTimestamp + time.ToTimestampTicks(settings.Duration);
        var lateTicks = time.ToTimestampTicks(settings.LateThreshold);
        using var offsets = schedule.Offsets(settings.Duration).GetEnumerator();
        while (!cancellationToken.IsCancellationRequested && offsets.MoveNext())
        {
            counts.Scheduled++;
            var intended = startTimestamp + time.ToTimestampTicks(offsets.Current);
            waits.Until(intended, cancellationToken);
            // Every outstanding request is in flight: wait for one to finish, but not past the run's end.
            if (!slots.Wait(0, CancellationToken.None) && !waits.ForSlot(slots, endTimestamp))
            {
                counts.Missed++;
                while (offsets.MoveNext())
                {
                    counts.Scheduled++;
                    counts.Missed++;
                }

                break;
            }

            var lag = time.GetTimestamp() - intended;
            counts.MaxLagTicks = Math.Max(counts.MaxLagTicks, lag);
            if (lag > lateTicks)
            {
                counts.Late++;
            }

            counts.Sent++;
            Interlocked.Increment(ref _inFlight);
            _ = SendOneAsync(recorder, intended, slots, outstanding, cancellationToken);
        }
    }

    private async Task SendOneAsync(
        LatencyRecorder recorder,
        long intendedTimestamp,
        SemaphoreSlim slots,
        TaskCompletionSource outstanding,
        CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendAsync(cancellationToken).ConfigureAwait(false);
            recorder.RecordSuccess(time.GetElapsedTime(intendedTimestamp));
        }
        catch (Exception exception)
        {
            recorder.RecordError(FailureStatus.Of(exception));
        }
        finally
        {
            slots.Release();
            Release(outstanding);
        }
    }

    private void Release(TaskCompletionSource outstanding)
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            outstanding.TrySetResult();
        }
    }

    private static Task WaitForThreadAsync(Thread thread) =>
        Task.Factory.StartNew(thread.Join, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private sealed class DispatchCounts
    {
        public long Scheduled;
        public long Sent;
        public long Late;
        public long Missed;
        public long MaxLagTicks;
    }
}
