using Grpc.Core;
using Grpc.Core.Interceptors;
using MlopsAspire.Cli.Scenarios;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// Runs a <see cref="DriftScenario"/> on a <see cref="SteppedClock"/>: the clock moves to the next timer only while
/// its four loops (traffic, route polling, feedback, buckets) all wait on it, every request due by then has been
/// sent and no call is waiting for an answer. Buckets, feedback and early stopping then follow the schedule
/// exactly, on a fast machine or a loaded one.
/// </summary>
internal static class SteppedDriftRun
{
    private const int Loops = 4;

    public static Task<DriftScenarioResult> RunAsync(
        CallInvoker inference,
        CallInvoker controlPlane,
        DriftScenarioOptions options,
        IDriftScenarioObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        var clock = new SteppedClock();
        var inferenceCalls = new CallCounter();
        var controlPlaneCalls = new CallCounter();
        var scenario = new DriftScenario(inference.Intercept(inferenceCalls), controlPlane.Intercept(controlPlaneCalls), options, clock);

        // Request n is due at n × interval, before the total duration; the clock stands still until the run starts.
        var interval = TimeSpan.FromSeconds(1 / options.RequestsPerSecond).Ticks;
        var scheduled = (options.TotalDuration.Ticks + interval - 1) / interval;
        long Due() => Math.Min((clock.Elapsed.Ticks / interval) + 1, scheduled);

        return clock.DriveAsync(
            scenario.RunAsync(observer, cancellationToken),
            pending => pending == Loops && inferenceCalls.InFlight == 0 && controlPlaneCalls.InFlight == 0 && inferenceCalls.Started == Due(),
            TimeSpan.FromMinutes(2));
    }
}
