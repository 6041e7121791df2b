using System.Diagnostics;
using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// N clients in a loop, each sending its next request as soon as the previous one completes. This measures
/// the throughput a fixed concurrency reaches; its latencies are service times, which hide a stalled server
/// (coordinated omission), so use the open model for latency objectives.
/// </summary>
public sealed class ClosedModelClients(IRequestSender sender, WorkloadSettings settings)
{
    public async Task<long> RunAsync(LatencyRecorder recorder, long startTimestamp, CancellationToken cancellationToken)
    {
        var endTimestamp = startTimestamp + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        using var drainCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long sent = 0;

        async Task ClientLoopAsync()
        {
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < endTimestamp)
            {
                var started = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sent);
                try
                {
                    await sender.SendAsync(drainCancellation.Token).ConfigureAwait(false);
                    recorder.RecordSuccess(Stopwatch.GetTimestamp() - started);
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
        var untilDrained = settings.Duration + settings.DrainTimeout;
        if (await Task.WhenAny(all, Task.Delay(untilDrained, CancellationToken.None)).ConfigureAwait(false) != all)
        {
            await drainCancellation.CancelAsync().ConfigureAwait(false);
        }

        await all.ConfigureAwait(false);
        return Interlocked.Read(ref sent);
    }
}
