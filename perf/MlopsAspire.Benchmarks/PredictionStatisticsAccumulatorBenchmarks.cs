using BenchmarkDotNet.Attributes;
using MlopsAspire.FraudData;
using MlopsAspire.Monitoring.Recording;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// The statistics a replica records on the request path for fraud rows (12 features and a probability, on a
/// reference profile's bins), per request of a given size, and the once-a-second drain.
/// </summary>
public class PredictionStatisticsAccumulatorBenchmarks
{
    private static readonly TimeSpan Queue = TimeSpan.FromMicroseconds(120);
    private static readonly TimeSpan Compute = TimeSpan.FromMicroseconds(300);
    private static readonly TimeSpan Total = TimeSpan.FromMicroseconds(450);

    private PredictionStatisticsAccumulator _accumulator = null!;
    private float[] _inputs = [];
    private float[] _scores = [];
    private int _next;

    [Params(1, 8, 64)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (var profile, _inputs, _scores) = FraudStatisticsData.Create(liveRows: 4_096);
        _accumulator = new PredictionStatisticsAccumulator(profile, DateTimeOffset.UnixEpoch);
    }

    [Benchmark]
    public void RecordRequest()
    {
        var first = _next;
        _next = (_next + Rows) % (_scores.Length - Rows);
        _accumulator.RecordSuccess(
            _inputs.AsSpan(first * FraudFeatures.Count, Rows * FraudFeatures.Count),
            FraudFeatures.Count,
            _scores.AsSpan(first, Rows),
            Rows,
            Queue,
            Compute,
            Total);
    }
}
