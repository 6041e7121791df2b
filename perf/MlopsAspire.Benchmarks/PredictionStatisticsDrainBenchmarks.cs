using BenchmarkDotNet.Attributes;
using MlopsAspire.FraudData;
using MlopsAspire.Monitoring.Recording;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Benchmarks;

/// <summary>Draining an interval into a snapshot: runs once a second per served version, never on the request path.</summary>
public class PredictionStatisticsDrainBenchmarks
{
    private PredictionStatisticsAccumulator _accumulator = null!;
    private float[] _inputs = [];
    private float[] _scores = [];
    private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

    [GlobalSetup]
    public void Setup()
    {
        (var profile, _inputs, _scores) = FraudStatisticsData.Create(liveRows: 64);
        _accumulator = new PredictionStatisticsAccumulator(profile, _now);
    }

    [Benchmark]
    public StatisticsSnapshot RecordBatchAndDrain()
    {
        _accumulator.RecordSuccess(_inputs, FraudFeatures.Count, _scores, _scores.Length, TimeSpan.FromMicroseconds(50), TimeSpan.FromMicroseconds(400), TimeSpan.FromMicroseconds(500));
        _now = _now.AddSeconds(1);
        return _accumulator.Drain("replica-0", _now);
    }
}
