using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// N clients in a loop, each sending its next request as soon as the previous one completes. This measures
/// the throughput a fixed concurrency reaches; its latencies are service times, which hide a stalled server
/// (coordinated omission), so use the open model for latency objectives. Every time is read from <paramref name="time"/>.
/// </summary>
public sealed class ClosedModelClients(IRequestSender sender, WorkloadSettings settings, TimeProvider time)
{
    /// <param name="startTimestamp">The start of the run on <c>time</c>'s timestamp scale.</param>
    public async Task<long> RunAsync(LatencyRecorder recorder, long startTimestamp, CancellationToken cancellationToken)
    {
        var endTimestamp = startTimestamp + time.ToTimestampTicks(settings.Duration);
        using var drainCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long sent = 0;

        async Task ClientLoopAsync()
        {
            while (!cancellationToken.IsCancellationRequested && time.GetTimestamp() < endTimestamp)
            {
                var started = time.GetTimestamp();
                Interlocked.Increment(ref sent);
                try
                {
                    await sender.SendAsync(drainCancellation.Token).ConfigureAwait(false);
                    recorder.RecordSuccess(time.GetElapsedTime(started));
                }
                catch (Exception exception)
                {
                    recorder.RecordError(FailureStatus.Of(exception));
                }
            }
        }

        // Long-running, so that a sender that completes synchronously (an in-process ONNX Runtime loop) keeps its
        // own thread instead of blocking the thread pool.
        var clients = Enumerable.Range(0, settings.Concurrency)
            .Select(_ => Task.Factory.StartNew(ClientLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToArray();
        var all = Task.WhenAll(clients);
        if (!await all.CompletesWithinAsync(settings.Duration + settings.DrainTimeout, time).ConfigureAwait(false))
        {
            await drainCancellation.CancelAsync().ConfigureAwait(false);
        }

        await all.ConfigureAwait(false);
        return Interlocked.Read(ref sent);
    }
}
