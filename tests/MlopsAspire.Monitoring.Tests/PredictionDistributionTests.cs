using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Tests;

public sealed class PredictionDistributionTests
{
    private static readonly ReferenceProfile Profile = new(
        [new FeatureProfile("x", [1], [4, 6], 1, 1, 0, 2)],
        [new FeatureProfile("score", [0.2, 0.5], [5, 3, 2], 0.3, 0.2, 0, 1), new FeatureProfile("label", [0.5], [7, 3], 0.3, 0.5, 0, 1)],
        10);

    [Fact]
    public void Each_profiled_prediction_gets_the_merged_windows_counts_beside_its_reference_counts()
    {
        var windows = new RollingWindows(Profile);
        var start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (sequence, scores) in (IEnumerable<(long, double[])>)[(1, [0.1, 0.3]), (2, [0.4, 0.9, double.NaN])])
        {
            var interval = new PredictionStatistics(Profile);
            foreach (var score in scores)
            {
                interval.Predictions[0].Add(score);
                interval.Predictions[1].Add(score > 0.5 ? 1 : 0);
            }

            windows.Add(new StatisticsSnapshot("replica-a", sequence, start.AddMinutes(sequence), start.AddMinutes(sequence).AddSeconds(1), interval));
        }

        var distributions = PredictionDistribution.Of(Profile, windows.Since(start));

        Assert.Equal(["score", "label"], distributions.Select(d => d.Name));
        Assert.Equal([0.2, 0.5], distributions[0].Edges);
        // NaN is not a bin's: it is counted as non-finite apart from the distribution.
        Assert.Equal([1L, 2, 1], distributions[0].Counts);
        Assert.Equal([5L, 3, 2], distributions[0].ReferenceCounts);
        Assert.Equal([4L, 1], distributions[1].Counts);
        Assert.Equal([7L, 3], distributions[1].ReferenceCounts);
    }

    [Fact]
    public void Statistics_counted_on_another_profile_are_refused()
    {
        var other = Profile with { Predictions = [Profile.Predictions[0]] };

        Assert.Throws<ArgumentException>(() => PredictionDistribution.Of(Profile, new PredictionStatistics(other)));
    }
}
