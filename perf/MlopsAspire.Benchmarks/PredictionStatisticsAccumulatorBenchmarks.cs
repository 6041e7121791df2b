using BenchmarkDotNet.Attributes;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Monitoring.Recording;
using MlopsAspire.FraudData;

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

internal static class FraudStatisticsData
{
    /// <summary>A reference profile from 5,000 fraud rows and live rows from the same population, with a stand-in score.</summary>
    public static (ReferenceProfile Profile, float[] Inputs, float[] Scores) Create(int liveRows)
    {
        var reference = new FraudDataGenerator(new FraudDataOptions { Seed = 1 }).Generate(5_000).Select(row => row.Features).ToList();
        var profile = ReferenceProfile.FromRows(
            FraudFeatures.Names,
            reference,
            new Dictionary<string, IReadOnlyList<double>> { ["probability"] = reference.Select(row => (double)Score(row)).ToList() });
        var live = new FraudDataGenerator(new FraudDataOptions { Seed = 2 }).Generate(liveRows).ToList();
        return (profile, [.. live.SelectMany(row => row.Features)], [.. live.Select(row => Score(row.Features))]);
    }

    private static float Score(float[] features) =>
        1f / (1f + MathF.Exp(-((0.004f * features[0]) + (3f * features[2]) + features[7] - 3f)));
}
