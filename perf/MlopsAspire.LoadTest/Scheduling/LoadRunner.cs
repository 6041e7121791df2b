using Grpc.Core;
using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Workloads;
using OpenTelemetry;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// Runs one workload against a sender: warm-up, then the measured run with a live progress line. Every time it
/// paces, waits for or measures is read from the given clock (<see cref="TimeProvider.System"/> outside tests).
/// </summary>
public static class LoadRunner
{
    public static async Task<RunMeasurement> RunAsync(
        string name,
        IRequestSender sender,
        WorkloadSettings workload,
        TimeProvider time,
        Action<ProgressSnapshot>? progress,
        CancellationToken cancellationToken,
        Func<TimeSpan>? compilingTime = null)
    {
        // The load generator is the client, and a client that traces nothing: an in-process replica's tracer listens
        // to the whole process, and would otherwise record a client span for every call and send a sampled trace
        // context that makes every server in this process (ours, the naive one, the echo) trace every request.
        // Every contender is then measured as it would be from a separate client process that does not trace.
        using var untraced = SuppressInstrumentationScope.Begin();
        var warmup = workload.Warmup > TimeSpan.Zero
            ? await WarmUpAsync(name, sender, workload, time, compilingTime ?? JitCompilingTime, cancellationToken).ConfigureAwait(false)
            : WarmupOutcome.None;
        // Interrupted during the warm-up: the measured run ends at once and the server's counters are not read.
        var batching = cancellationToken.IsCancellationRequested ? null : sender as IReportsServerBatching;
        var before = batching is null ? null : await batching.ReadServerBatchingAsync(cancellationToken).ConfigureAwait(false);
        var measurement = await RunOnceAsync(name, sender, workload, time, progress, cancellationToken).ConfigureAwait(false);
        ServerBatching? after = null;
        if (before is not null)
        {
            // Read even when the run was interrupted (Ctrl+C still writes the reports), but not for longer than a
            // short wait: the counters are one small call to a server that was answering a moment ago.
            using var reading = new CancellationTokenSource(ServerCountersWait, time);
            try
            {
                after = await batching!.ReadServerBatchingAsync(reading.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RpcException or OperationCanceledException)
            {
                // The counters are an extra: a server that stopped answering leaves the run without them, not unreported.
            }
        }

        return measurement with { Warmup = warmup, ServerBatching = ServerBatching.Between(before, after) };
    }

    /// <summary>How long reading the server's counters after a run may take.</summary>
    public static readonly TimeSpan ServerCountersWait = TimeSpan.FromSeconds(5);

    /// <summary>The length of one warm-up slice, whose throughput <see cref="SteadyStateRule"/> compares.</summary>
    public static readonly TimeSpan WarmupSlice = TimeSpan.FromSeconds(1);

    /// <summary>How many consecutive warm-up slices must agree.</summary>
    public const int SteadyWindow = 3;

    /// <summary>
    /// How long this process's JIT has spent compiling, on all threads: what <see cref="SteadyStateRule"/> reads to
    /// tell a tiering plateau from a warm contender. It sees only this process, so it guards the in-process
    /// contenders and the client itself; a server in another process is judged by its throughput alone.
    /// </summary>
    public static TimeSpan JitCompilingTime() => System.Runtime.JitInfo.GetCompilationTime(currentThread: false);

    /// <summary>Sends unrecorded traffic in slices until at least the warm-up time has passed and throughput is steady, or the maximum is reached.</summary>
    private static async Task<WarmupOutcome> WarmUpAsync(
        string name,
        IRequestSender sender,
        WorkloadSettings workload,
        TimeProvider time,
        Func<TimeSpan> compilingTime,
        CancellationToken cancellationToken)
    {
        var sliceLength = workload.Warmup < WarmupSlice ? workload.Warmup : WarmupSlice;
        var slice = workload with
        {
            Duration = sliceLength,
            DrainTimeout = TimeSpan.FromSeconds(5),
            RampToRate = null,
            Arrival = workload.Arrival == ArrivalKind.Ramp ? ArrivalKind.Constant : workload.Arrival,
        };
        var maximum = workload.MaxWarmup > workload.Warmup ? workload.MaxWarmup : workload.Warmup;
        var rule = new SteadyStateRule(SteadyWindow, workload.SteadyTolerance);
        var spent = TimeSpan.Zero;
        while (true)
        {
            var compiledBefore = compilingTime();
            var sliceStart = time.GetTimestamp();
            var run = await RunOnceAsync(name, sender, slice, time, progress: null, cancellationToken).ConfigureAwait(false);
            var sliceTime = time.GetElapsedTime(sliceStart);
            spent += sliceLength;
            var compilingShare = sliceTime > TimeSpan.Zero ? Math.Max(0, (compilingTime() - compiledBefore) / sliceTime) : 0;
            var steady = rule.Add(run.Throughput, compilingShare);
            // An interrupted warm-up ends at once: every further slice would end at once too, sending nothing.
            if ((steady && spent >= workload.Warmup) || spent >= maximum || cancellationToken.IsCancellationRequested)
            {
                return new WarmupOutcome(spent, steady, [.. rule.Rates], [.. rule.CompilingShares]);
            }
        }
    }

    private static async Task<RunMeasurement> RunOnceAsync(
        string name,
        IRequestSender sender,
        WorkloadSettings workload,
        TimeProvider time,
        Action<ProgressSnapshot>? progress,
        CancellationToken cancellationToken)
    {
        var cpuAtStart = Environment.CpuUsage.TotalTime;
        var start = time.GetTimestamp();
        var recorder = new LatencyRecorder();
        OpenModelDispatcher? dispatcher = null;
        Task<long> sending;
        Task<DispatchOutcome>? dispatching = null;
        if (workload.Model == WorkloadModel.Open)
        {
            dispatcher = new OpenModelDispatcher(sender, workload.CreateSchedule(), workload, time);
            dispatching = dispatcher.RunAsync(recorder, start, cancellationToken);
            sending = dispatching.ContinueWith(task => task.Result.Sent, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
        else
        {
            sending = new ClosedModelClients(sender, workload, time).RunAsync(recorder, start, cancellationToken);
        }

        using (var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1), time))
        {
            while (await Task.WhenAny(sending, ticker.WaitForNextTickAsync(CancellationToken.None).AsTask()).ConfigureAwait(false) != sending)
            {
                var sample = recorder.SampleInterval(time.GetElapsedTime(start));
                var (runP50, runP99) = recorder.TotalPercentiles();
                progress?.Invoke(new ProgressSnapshot(
                    name,
                    sample.ElapsedSeconds,
                    workload.Duration.TotalSeconds,
                    sample.IntervalSeconds > 0 ? sample.Succeeded / sample.IntervalSeconds : 0,
                    workload.Model == WorkloadModel.Open ? CurrentTargetRate(workload, sample.ElapsedSeconds) : null,
                    sample.P50Ms,
                    sample.P99Ms,
                    runP50,
                    runP99,
                    recorder.Errors.Total,
                    dispatcher?.InFlight ?? workload.Concurrency));
            }
        }

        var sent = await sending.ConfigureAwait(false);
        var end = time.GetTimestamp();
        var processorTime = Environment.CpuUsage.TotalTime - cpuAtStart;
        recorder.SampleInterval(time.GetElapsedTime(start, end));
        var outcome = dispatching is null ? null : await dispatching.ConfigureAwait(false);
        return new RunMeasurement
        {
            Name = name,
            Workload = workload,
            Latency = recorder.CopyTotal(),
            Intervals = recorder.Intervals,
            ErrorsByStatus = recorder.Errors.Snapshot(),
            // Throughput over the scheduled duration: the drain after it only finishes requests already sent.
            Elapsed = workload.Duration,
            Sent = sent,
            Dispatch = outcome,
            ProcessorTime = processorTime,
        };
    }

    private static double CurrentTargetRate(WorkloadSettings workload, double elapsedSeconds) =>
        workload.Arrival == ArrivalKind.Ramp && workload.RampToRate is { } to
            ? workload.Rate + ((to - workload.Rate) * Math.Min(1, elapsedSeconds / workload.Duration.TotalSeconds))
            : workload.Rate;
}
