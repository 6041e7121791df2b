
namespace MlopsAspire.LoadTest.Measurement;

/// <summary>One interval of the latency-over-time series.</summary>
public sealed record IntervalSample(
    double ElapsedSeconds,
    double IntervalSeconds,
    long Succeeded,
    long Failed,
    double P50Ms,
    double P99Ms,
    double MaxMs);
