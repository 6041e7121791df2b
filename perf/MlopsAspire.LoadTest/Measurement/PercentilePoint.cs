
namespace MlopsAspire.LoadTest.Measurement;

public sealed record PercentilePoint(double Percentile, double LatencyMs);
