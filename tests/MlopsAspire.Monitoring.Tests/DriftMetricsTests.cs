using MlopsAspire.Monitoring.Drift;

namespace MlopsAspire.Monitoring.Tests;

public sealed class DriftMetricsTests
{
    [Fact]
    public void Population_stability_index_matches_the_formula_computed_independently()
    {
        long[] reference = [120, 340, 280, 160, 100];
        long[] live = [80, 300, 330, 190, 0];

        // Offline: shares, the empty bin floored at 1e-4, then Σ (a − e)·ln(a/e).
        double expected = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            var e = Math.Max(reference[i] / 1000.0, 1e-4);
            var a = Math.Max(live[i] / 900.0, 1e-4);
            expected += (a - e) * Math.Log(a / e);
        }

        Assert.Equal(expected, DriftMetrics.PopulationStabilityIndex(reference, live), 9);
        Assert.Equal(0, DriftMetrics.PopulationStabilityIndex(reference, reference), 12);
    }

    [Fact]
    public void Jensen_shannon_distance_is_zero_for_equal_and_one_for_disjoint_distributions()
    {
        Assert.Equal(0, DriftMetrics.JensenShannonDistance([5, 5, 0], [50, 50, 0]), 12);
        Assert.Equal(1, DriftMetrics.JensenShannonDistance([10, 0], [0, 10]), 12);
        var partial = DriftMetrics.JensenShannonDistance([50, 50], [75, 25]);
        // √(½ KL(p‖m) + ½ KL(q‖m)) with m = (0.625, 0.375), in bits.
        var expected = Math.Sqrt(
            0.5 * (0.5 * Math.Log2(0.5 / 0.625) + 0.5 * Math.Log2(0.5 / 0.375)) +
            0.5 * (0.75 * Math.Log2(0.75 / 0.625) + 0.25 * Math.Log2(0.25 / 0.375)));
        Assert.Equal(expected, partial, 12);
    }

    [Fact]
    public void Kolmogorov_smirnov_is_the_largest_cdf_gap_and_its_p_value_falls_with_it()
    {
        Assert.Equal(0.25, DriftMetrics.KolmogorovSmirnov([25, 25, 25, 25], [50, 25, 25, 0]), 12);
        Assert.True(DriftMetrics.KolmogorovSmirnovPValue(0.25, 1000, 1000) < 1e-6);
        Assert.True(DriftMetrics.KolmogorovSmirnovPValue(0.01, 1000, 1000) > 0.99);
    }

    [Fact]
    public void Wasserstein_reads_a_shift_by_one_bin_as_that_bin_width_in_standard_deviations()
    {
        double[] edges = [0, 1, 2, 3, 4];
        long[] reference = [0, 10, 10, 10, 0, 0];
        long[] shifted = [0, 0, 10, 10, 10, 0];
        Assert.Equal(1.0, DriftMetrics.Wasserstein(reference, shifted, edges, scale: 1), 12);
        Assert.Equal(0.5, DriftMetrics.Wasserstein(reference, shifted, edges, scale: 2), 12);
    }
}
