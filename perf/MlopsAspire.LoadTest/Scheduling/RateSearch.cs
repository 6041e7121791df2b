using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Reports;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>What a rate must achieve to count as sustained.</summary>
public sealed record RateObjective(double P99Ms, double MaxErrorRate)
{
    /// <summary>A client that could not send at the rate has not shown the server can take it.</summary>
    public const double MinAchievedFraction = 0.95;

    public bool IsMetBy(RunMeasurement measurement, out RateStep step)
    {
        var latency = LatencyHistograms.Summarize(measurement.Latency);
        var sent = Math.Max(1, measurement.Sent);
        var errorRate = measurement.Failed / (double)sent;
        var targetRate = measurement.Workload.CreateSchedule().MeanRate;
        var achieved = measurement.Sent / measurement.Elapsed.TotalSeconds;
        var missed = measurement.Dispatch?.Missed ?? 0;
        var met = latency.Count > 0
            && latency.P99Ms <= P99Ms
            && errorRate <= MaxErrorRate
            && missed == 0
            && achieved >= targetRate * MinAchievedFraction;
        step = new RateStep(targetRate, achieved, measurement.Throughput, latency.P50Ms, latency.P99Ms, errorRate, missed, met);
        return met;
    }
}

/// <summary>
/// Finds the highest arrival rate meeting an objective: open-model steps that grow by a factor until one
/// misses, then bisection between the last step that met it and the first that did not.
/// </summary>
public static class RateSearch
{
    public static async Task<(RateSearchReport Report, IReadOnlyList<RunMeasurement> Steps)> RunAsync(
        string scenario,
        Func<double, bool, Task<RunMeasurement>> measureAtRate,
        RateObjective objective,
        double startRate,
        double maxRate,
        double stepFactor,
        int refineSteps,
        Action<RateStep>? onStep,
        CancellationToken cancellationToken)
    {
        var steps = new List<RateStep>();
        var measurements = new List<RunMeasurement>();
        double? best = null;
        double? firstMiss = null;

        async Task<bool> TryAsync(double rate)
        {
            var measurement = await measureAtRate(rate, measurements.Count == 0).ConfigureAwait(false);
            measurements.Add(measurement);
            var met = objective.IsMetBy(measurement, out var step);
            steps.Add(step);
            onStep?.Invoke(step);
            return met;
        }

        for (var rate = startRate; rate <= maxRate && !cancellationToken.IsCancellationRequested; rate *= stepFactor)
        {
            if (await TryAsync(rate).ConfigureAwait(false))
            {
                best = rate;
            }
            else
            {
                firstMiss = rate;
                break;
            }
        }

        if (best is { } low && firstMiss is { } high)
        {
            for (var i = 0; i < refineSteps && !cancellationToken.IsCancellationRequested; i++)
            {
                var middle = (low + high) / 2;
                if (await TryAsync(middle).ConfigureAwait(false))
                {
                    low = middle;
                }
                else
                {
                    high = middle;
                }
            }

            best = low;
        }

        var report = new RateSearchReport
        {
            Scenario = scenario,
            ObjectiveP99Ms = objective.P99Ms,
            MaxErrorRate = objective.MaxErrorRate,
            BestRate = best,
            Steps = steps,
        };
        return (report, measurements);
    }
}
