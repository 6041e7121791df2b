using HdrHistogram;
using MlopsAspire.Cli.Tests;
using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// Runs the load generator's schedulers on a <see cref="SteppedClock"/> against a <see cref="ClockedServer"/>. The
/// clock moves only when every part is waiting on it: each says so by the timers it holds, and the conditions below
/// rule out the moments in between (a part awake, about to set its next timer). In all of them no request is being
/// handled: each one in the server is waiting for its answer.
/// </summary>
internal static class SteppedRuns
{
    /// <summary>Real time a run may take before the test gives up: a net for a hang, never a measurement.</summary>
    private static readonly TimeSpan SafetyNet = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The open-model dispatcher alone, from the clock's start. Settled while it is at work, when the only timers
    /// pending are the requests' and one of the dispatcher's (its next send, its wait for a slot, or its drain), every
    /// answered request has been recorded, and every send due by now has left unless every slot is taken.
    /// </summary>
    public static async Task<(DispatchOutcome Outcome, HistogramBase Latency)> DispatchAsync(SteppedClock clock, ClockedServer server, WorkloadSettings workload)
    {
        var schedule = workload.CreateSchedule();
        var offsets = schedule.Offsets(workload.Duration).ToList();
        var dispatcher = new OpenModelDispatcher(server, schedule, workload, clock);
        var recorder = new LatencyRecorder();
        var start = clock.GetTimestamp();
        var outcome = await clock.DriveAsync(
            dispatcher.RunAsync(recorder, start, CancellationToken.None),
            pending => dispatcher.InFlight > 0
                && server.Busy == 0
                && pending == server.WaitingOnClock + 1
                && dispatcher.InFlight <= server.Answering + 1
                && DueSendsLeft(clock, start, server, offsets, workload),
            SafetyNet);
        recorder.SampleInterval(clock.GetElapsedTime(start));
        return (outcome, recorder.CopyTotal());
    }

    /// <summary>
    /// One closed-model client alone. Settled when its request is waiting on the clock and the only other timer is
    /// the run's drain limit.
    /// </summary>
    public static async Task<(long Sent, HistogramBase Latency)> RunOneClientAsync(SteppedClock clock, ClockedServer server, WorkloadSettings workload)
    {
        Assert.Equal(1, workload.Concurrency);
        var recorder = new LatencyRecorder();
        var start = clock.GetTimestamp();
        var sent = await clock.DriveAsync(
            new ClosedModelClients(server, workload, clock).RunAsync(recorder, start, CancellationToken.None),
            pending => server.Answering == 1 && server.Busy == 0 && pending == server.WaitingOnClock + 1,
            SafetyNet);
        recorder.SampleInterval(clock.GetElapsedTime(start));
        return (sent, recorder.CopyTotal());
    }

    /// <summary>
    /// The whole runner (warm-up slices, the progress ticker, the measured run) with one closed-model client.
    /// Settled when the client's request is waiting on the clock, the other timers are the run's ticker and drain
    /// limit, and <paramref name="alsoSettled"/> (what the test watches) holds.
    /// </summary>
    public static Task<RunMeasurement> RunOneClientThroughRunnerAsync(
        SteppedClock clock,
        ClockedServer server,
        WorkloadSettings workload,
        Action<ProgressSnapshot>? progress = null,
        Func<bool>? alsoSettled = null,
        Func<TimeSpan>? compilingTime = null)
    {
        Assert.Equal(WorkloadModel.Closed, workload.Model);
        Assert.Equal(1, workload.Concurrency);
        // A stepped server compiles nothing unless the test says so: the real JIT, busy with the test itself, is not asked.
        return clock.DriveAsync(
            LoadRunner.RunAsync("stepped", server, workload, clock, progress, CancellationToken.None, compilingTime ?? (() => TimeSpan.Zero)),
            pending => server.Answering == 1 && server.Busy == 0 && pending == server.WaitingOnClock + 2 && (alsoSettled?.Invoke() ?? true),
            SafetyNet);
    }

    /// <summary>
    /// The whole runner with an open workload and no warm-up. Settled when the timers pending are the requests', the
    /// ticker and one of the dispatcher's, and every send due by now has left unless every slot is taken.
    /// </summary>
    public static Task<RunMeasurement> RunOpenThroughRunnerAsync(SteppedClock clock, ClockedServer server, WorkloadSettings workload)
    {
        Assert.Equal(WorkloadModel.Open, workload.Model);
        Assert.Equal(TimeSpan.Zero, workload.Warmup);
        var offsets = workload.CreateSchedule().Offsets(workload.Duration).ToList();
        var start = clock.GetTimestamp();
        return clock.DriveAsync(
            LoadRunner.RunAsync("stepped", server, workload, clock, progress: null, CancellationToken.None),
            pending => server.Busy == 0 && pending == server.WaitingOnClock + 2 && DueSendsLeft(clock, start, server, offsets, workload),
            SafetyNet);
    }

    private static bool DueSendsLeft(SteppedClock clock, long start, ClockedServer server, List<TimeSpan> offsets, WorkloadSettings workload)
    {
        var now = clock.GetElapsedTime(start);
        // At least: a dispatcher that sends early is for the test's assertions to show, not for the clock to wait on.
        return server.Calls >= offsets.Count(offset => offset <= now) || server.Answering == workload.MaxInFlight;
    }
}
