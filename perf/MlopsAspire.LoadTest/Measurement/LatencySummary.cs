
namespace MlopsAspire.LoadTest.Measurement;

/// <summary>Latency percentiles of a run, in milliseconds.</summary>
public sealed record LatencySummary(
    long Count,
    double MeanMs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double P9999Ms,
    double MaxMs);
