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
