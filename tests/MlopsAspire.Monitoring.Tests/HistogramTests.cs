using MlopsAspire.Monitoring.Histograms;

namespace MlopsAspire.Monitoring.Tests;

public sealed class HistogramTests
{
    [Fact]
    public void Values_land_in_half_open_bins_and_non_finite_values_are_counted_apart()
    {
        var histogram = new BinnedHistogram([0, 1, 2]);
        foreach (var value in new[] { -5.0, 0, 0.5, 1, 1.999, 2, 100, double.NaN, double.PositiveInfinity })
        {
            histogram.Add(value);
        }

        Assert.Equal([1L, 2, 2, 2], histogram.Counts);
        Assert.Equal(2, histogram.NonFiniteCount);
        Assert.Equal(7, histogram.Total);
    }

    [Fact]
    public void Merging_equals_counting_everything_in_one_histogram()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 5000).Select(_ => random.NextDouble() * 10 - 2).ToArray();
        double[] edges = [0, 1, 2.5, 4, 8];
        var all = new BinnedHistogram(edges);
        var left = new BinnedHistogram(edges);
        var right = new BinnedHistogram(edges);
        for (var i = 0; i < values.Length; i++)
        {
            all.Add(values[i]);
            (i % 3 == 0 ? left : right).Add(values[i]);
        }

        left.Merge(right);
        Assert.Equal(all.Counts, left.Counts);
    }

    [Fact]
    public void Histograms_on_different_edges_refuse_to_merge_and_bad_edges_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BinnedHistogram([0, 1]).Merge(new BinnedHistogram([0, 2])));
        var error = Assert.Throws<ArgumentException>(() => new BinnedHistogram([0, 1, 1]));
        Assert.Contains("increase strictly", error.Message);
    }

    [Fact]
    public void Latency_percentiles_are_within_a_bucket_of_the_exact_ones_and_survive_merging()
    {
        var whole = new LatencyHistogram();
        var parts = new[] { new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram() };
        for (var microseconds = 1; microseconds <= 10_000; microseconds++)
        {
            whole.Record(microseconds);
            parts[microseconds % 3].Record(microseconds);
        }

        var merged = new LatencyHistogram();
        foreach (var part in parts)
        {
            merged.Merge(part);
        }

        foreach (var (q, exact) in new[] { (0.5, 5000.0), (0.9, 9000.0), (0.99, 9900.0) })
        {
            Assert.InRange(whole.Percentile(q), exact, exact * LatencyHistogram.Growth);
            Assert.Equal(whole.Percentile(q), merged.Percentile(q));
        }

        Assert.Equal(10_000, whole.Percentile(1.0));
        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(5000.5, merged.MeanMicroseconds, 6);
    }
}
