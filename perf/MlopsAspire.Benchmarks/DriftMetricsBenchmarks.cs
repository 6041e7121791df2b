using BenchmarkDotNet.Attributes;
using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.FraudData;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// What monitoring grains pay per snapshot and per judged window: merging one replica's interval into a window,
/// and judging a window of the 12 fraud features against the reference profile (PSI, JS, KS, Wasserstein each).
/// </summary>
[MemoryDiagnoser]
public class DriftMetricsBenchmarks
{
    private ReferenceProfile _profile = null!;
    private PredictionStatistics _interval = null!;
    private PredictionStatistics _window = null!;
    private long[] _reference = null!;
    private long[] _live = null!;
    private double[] _edges = null!;

    [GlobalSetup]
    public void SetUp()
    {
        var reference = new FraudDataGenerator(new FraudDataOptions { Seed = 1 }).Generate(20_000).Select(row => row.Features).ToList();
        _profile = ReferenceProfile.FromRows(FraudFeatures.Names, reference);
        _interval = new PredictionStatistics(_profile);
        foreach (var row in new FraudDataGenerator(new FraudDataOptions { Seed = 2 }).Generate(2_000))
        {
            for (var i = 0; i < row.Features.Length; i++)
            {
                _interval.Features[i].Add(row.Features[i]);
            }

            _interval.TotalLatency.Record(250);
        }

        _window = new PredictionStatistics(_profile);
        _window.Merge(_interval);
        var amount = _profile.Features[0];
        _reference = amount.ReferenceCounts;
        _live = _interval.Features[0].Counts;
        _edges = amount.Edges;
    }

    [Benchmark(Description = "merge an interval into a window")]
    public long Merge()
    {
        var window = new PredictionStatistics(_profile);
        window.Merge(_interval);
        return window.RowCount;
    }

    [Benchmark(Description = "judge a window (12 features)")]
    public int Judge() => new DriftEvaluator(_profile).Evaluate(DateTimeOffset.UnixEpoch, _window).Features.Count;

    [Benchmark(Description = "PSI, one feature")]
    public double Psi() => DriftMetrics.PopulationStabilityIndex(_reference, _live);

    [Benchmark(Description = "Jensen-Shannon, one feature")]
    public double JensenShannon() => DriftMetrics.JensenShannonDistance(_reference, _live);

    [Benchmark(Description = "Wasserstein, one feature")]
    public double Wasserstein() => DriftMetrics.Wasserstein(_reference, _live, _edges, 1.0);
}
