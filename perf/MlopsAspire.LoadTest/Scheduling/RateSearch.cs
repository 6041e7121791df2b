using MlopsAspire.LoadTest.Reports;

namespace MlopsAspire.LoadTest.Scheduling;

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
