using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Monitoring.Recording;

namespace MlopsAspire.Monitoring.Tests.Recording;

public sealed class ShadowOutputComparerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Scores_agree_when_they_fall_on_the_same_side_of_the_threshold()
    {
        var comparer = new ShadowOutputComparer();

        var comparison = comparer.Compare([0.1f, 0.6f, 0.49f, 0.5f, 0.9f], [0.2f, 0.4f, 0.51f, 0.5f, 0.8f]);

        // Rows 0, 3 and 4 stay on their side; 1 and 2 cross 0.5.
        Assert.Equal(5, comparison.Compared);
        Assert.Equal(3, comparison.LabelAgreements);
        double[] production = [0.1f, 0.6f, 0.49f, 0.5f, 0.9f];
        double[] shadow = [0.2f, 0.4f, 0.51f, 0.5f, 0.8f];
        var differences = production.Zip(shadow, (p, s) => Math.Abs(p - s)).ToArray();
        Assert.Equal(differences.Sum(), comparison.SumAbsoluteDifference, 12);
        Assert.Equal(differences.Max(), comparison.MaxAbsoluteDifference);
        Assert.Equal(differences.Zip(production, (difference, p) => difference / p).Sum(), comparison.SumRelativeDifference, 12);
    }

    [Fact]
    public void A_custom_threshold_moves_the_decision()
    {
        var comparison = new ShadowOutputComparer(threshold: 0.9).Compare([0.6f, 0.95f], [0.4f, 0.91f]);

        Assert.Equal(2, comparison.LabelAgreements);
    }

    [Fact]
    public void Labels_decide_agreement_when_given_for_int64_bool_and_float_labels()
    {
        var comparer = new ShadowOutputComparer();
        float[] production = [0.2f, 0.7f, 0.7f, 0.1f];
        float[] shadow = [0.3f, 0.7f, 0.2f, 0.9f];

        Assert.Equal(2, ShadowOutputComparer.Compare(production, shadow, [1L, 2L, 3L, 4L], [1L, 5L, 3L, 0L]).LabelAgreements);
        Assert.Equal(3, ShadowOutputComparer.Compare(production, shadow, [true, false, true, false], [true, false, false, false]).LabelAgreements);
        Assert.Equal(1, ShadowOutputComparer.Compare(production, shadow, [1f, float.NaN, 0f, 2f], [1f, float.NaN, 1f, 3f]).LabelAgreements);
        Assert.Equal(4, ShadowOutputComparer.Compare(production, shadow, [true, true, true, true], [true, true, true, true]).Compared);
    }

    [Fact]
    public void Non_finite_scores_disagree_and_stay_out_of_the_differences()
    {
        var comparison = new ShadowOutputComparer().Compare([0.8f, float.NaN, 0.3f], [0.7f, 0.9f, float.PositiveInfinity]);

        Assert.Equal(3, comparison.Compared);
        Assert.Equal(1, comparison.LabelAgreements);
        Assert.Equal(Math.Abs(0.8f - (double)0.7f), comparison.SumAbsoluteDifference);
        Assert.False(double.IsNaN(comparison.SumRelativeDifference));
    }

    [Fact]
    public void Recorded_comparisons_equal_shadow_comparison_record_row_by_row()
    {
        var random = new Random(5);
        var production = Enumerable.Range(0, 500).Select(_ => random.NextSingle()).ToArray();
        var shadow = production.Select(score => Math.Clamp(score + ((random.NextSingle() - 0.5f) * 0.2f), 0f, 1f)).ToArray();
        production[3] = 0; // relative difference on a zero score uses the floor, not a division by zero
        var accumulator = new PredictionStatisticsAccumulator(profile: null, Start);
        var comparer = new ShadowOutputComparer();

        for (var first = 0; first < production.Length; first += 100)
        {
            accumulator.RecordShadow("v2", comparer.Compare(production.AsSpan(first, 100), shadow.AsSpan(first, 100)));
        }

        accumulator.RecordShadowDropped("v2");
        accumulator.RecordShadowDropped("v3", 4);
        var shadows = accumulator.Drain("replica-a", Start.AddSeconds(1)).Statistics.Shadows;

        var expected = new ShadowComparison { Dropped = 1 };
        for (var row = 0; row < production.Length; row++)
        {
            expected.Record((production[row] >= 0.5) == (shadow[row] >= 0.5), production[row], shadow[row]);
        }

        var actual = shadows["v2"];
        Assert.Equal((expected.Compared, expected.LabelAgreements, expected.Dropped, expected.MaxAbsoluteDifference), (actual.Compared, actual.LabelAgreements, actual.Dropped, actual.MaxAbsoluteDifference));
        Assert.Equal(expected.SumAbsoluteDifference, actual.SumAbsoluteDifference, 9);
        Assert.Equal(expected.SumRelativeDifference, actual.SumRelativeDifference, 6);
        Assert.Equal((0L, 4L), (shadows["v3"].Compared, shadows["v3"].Dropped));
    }

    [Fact]
    public void Shadow_versions_beyond_the_tracked_ones_are_counted_apart()
    {
        var accumulator = new PredictionStatisticsAccumulator(profile: null, Start, shadowCapacity: 1);

        accumulator.RecordShadowDropped("v2");
        accumulator.RecordShadowDropped("v3");
        accumulator.RecordShadow("v4", new ShadowBatchComparison(1, 1, 0, 0, 0));

        Assert.Equal(["v2"], accumulator.Drain("replica-a", Start).Statistics.Shadows.Keys);
        Assert.Equal(2, accumulator.UntrackedShadowRecords);
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        var comparer = new ShadowOutputComparer();

        Assert.Throws<ArgumentException>(() => comparer.Compare([0.1f, 0.2f], [0.1f]));
        Assert.Throws<ArgumentException>(() => ShadowOutputComparer.Compare([0.1f], [0.1f], [1L, 2L], [1L]));
    }
}
