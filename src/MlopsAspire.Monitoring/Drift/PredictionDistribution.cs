using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Drift;

/// <summary>
/// A prediction output's distribution over a span next to the reference it is judged against: the span's counts on
/// the reference profile's bins and the reference's own counts, bin for bin, so that what drift measured can be seen.
/// </summary>
public sealed record PredictionDistribution(string Name, double[] Edges, long[] Counts, long[] ReferenceCounts)
{
    /// <summary>
    /// Each profiled prediction of <paramref name="profile"/> with the counts <paramref name="statistics"/> (merged on
    /// that profile) recorded for it.
    /// </summary>
    public static IReadOnlyList<PredictionDistribution> Of(ReferenceProfile profile, PredictionStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.Predictions.Length != profile.Predictions.Count)
        {
            throw new ArgumentException(
                $"the statistics hold {statistics.Predictions.Length} prediction histograms; the profile profiles {profile.Predictions.Count}", nameof(statistics));
        }

        return [.. profile.Predictions.Select((reference, i) => Of(reference, statistics.Predictions[i]))];
    }

    private static PredictionDistribution Of(FeatureProfile reference, Histograms.BinnedHistogram live)
    {
        if (!live.Edges.AsSpan().SequenceEqual(reference.Edges))
        {
            throw new ArgumentException($"'{reference.Name}' was counted on other bins than its reference profile's", nameof(live));
        }

        return new PredictionDistribution(reference.Name, reference.Edges, (long[])live.Counts.Clone(), (long[])reference.ReferenceCounts.Clone());
    }
}
