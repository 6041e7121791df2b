using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Monitoring.Alerts;
using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Gates;
using MlopsAspire.Monitoring.Histograms;
using ProfiledFeature = MlopsAspire.Monitoring.Profiles.FeatureProfile;
using StatisticsProfile = MlopsAspire.Monitoring.Profiles.ReferenceProfile;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Mapping;

/// <summary>Converts between the monitoring library's types and their wire/storage messages.</summary>
public static class MonitoringMapper
{
    public static MonitoringSnapshot ToMessage(StatisticsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return ToMessage(snapshot.ReplicaId, snapshot.Sequence, snapshot.IntervalStart, snapshot.IntervalEnd, snapshot.Statistics);
    }

    public static MonitoringSnapshot ToMessage(string replicaId, long sequence, DateTimeOffset start, DateTimeOffset end, PredictionStatistics statistics) => new(
        replicaId,
        sequence,
        start,
        end,
        statistics.RequestCount,
        statistics.RowCount,
        new Dictionary<string, long>(statistics.ErrorsByStatus, StringComparer.Ordinal),
        ToMessage(statistics.QueueLatency),
        ToMessage(statistics.ComputeLatency),
        ToMessage(statistics.TotalLatency),
        (long[])statistics.BatchSizes.Clone(),
        [.. statistics.Features.Select(histogram => (long[])histogram.Counts.Clone())],
        [.. statistics.Predictions.Select(histogram => (long[])histogram.Counts.Clone())],
        statistics.NonFiniteInputs,
        statistics.OutOfRangeInputs,
        statistics.Shadows.ToDictionary(pair => pair.Key, pair => ToMessage(pair.Value), StringComparer.Ordinal),
        Outcomes: statistics.Outcomes.Count == 0 ? null : ToMessage(statistics.Outcomes));

    public static OutcomeData ToMessage(OutcomeStatistics outcomes) => new(
        outcomes.Count,
        outcomes.Correct,
        outcomes.LogLossSum,
        (long[])outcomes.PositiveScores.Clone(),
        (long[])outcomes.NegativeScores.Clone(),
        outcomes.Classes,
        outcomes.Classes == 0 ? null : (long[])outcomes.Confusion.Clone(),
        outcomes.RegressionCount,
        outcomes.SumAbsoluteError,
        outcomes.SumSquaredError);

    /// <summary>The reference a version's first labelled rows set, up to and including the window that starts at <paramref name="lastWindow"/>.</summary>
    public static ReferenceOutcomes ToMessage(OutcomeMetrics metrics, DateTimeOffset lastWindow)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new(metrics.Rows, metrics.Accuracy, metrics.Auc, metrics.LogLoss, metrics.MacroF1, metrics.MeanAbsoluteError, metrics.RootMeanSquaredError, lastWindow);
    }

    public static OutcomeMetrics ToMetrics(ReferenceOutcomes reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new(reference.Rows, reference.Accuracy, reference.Auc, reference.LogLoss, reference.MacroF1, reference.MeanAbsoluteError, reference.RootMeanSquaredError);
    }

    public static OutcomeStatistics ToStatistics(OutcomeData outcomes) =>
        OutcomeStatistics.FromCounts(outcomes.Count, outcomes.Correct, outcomes.LogLossSum, outcomes.PositiveScores, outcomes.NegativeScores)
            .WithOtherTasks(outcomes.Classes, outcomes.Confusion, outcomes.RegressionCount, outcomes.SumAbsoluteError, outcomes.SumSquaredError);

    /// <summary>
    /// Rebuilds statistics on the version's reference bins. Histograms that do not fit the profile (a replica that
    /// had no profile yet, or an older one) are left out rather than merged onto the wrong bins.
    /// </summary>
    public static PredictionStatistics ToStatistics(MonitoringSnapshot message, StatisticsProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(message);
        var statistics = new PredictionStatistics(profile)
        {
            RequestCount = message.RequestCount,
            RowCount = message.RowCount,
            NonFiniteInputs = message.NonFiniteInputs,
            OutOfRangeInputs = message.OutOfRangeInputs,
        };
        foreach (var (status, count) in message.ErrorsByStatus)
        {
            statistics.ErrorsByStatus[status] = count;
        }

        statistics.QueueLatency.Merge(ToHistogram(message.QueueLatency));
        statistics.ComputeLatency.Merge(ToHistogram(message.ComputeLatency));
        statistics.TotalLatency.Merge(ToHistogram(message.TotalLatency));
        for (var i = 0; i < statistics.BatchSizes.Length && i < message.BatchSizes.Length; i++)
        {
            statistics.BatchSizes[i] = message.BatchSizes[i];
        }

        if (message.Outcomes is { } outcomes)
        {
            statistics.Outcomes.Merge(ToStatistics(outcomes));
        }

        CopyCounts(message.FeatureCounts, statistics.Features);
        CopyCounts(message.PredictionCounts, statistics.Predictions);
        foreach (var (version, comparison) in message.Shadows)
        {
            statistics.Shadows[version] = new ShadowComparison
            {
                Compared = comparison.Compared,
                LabelAgreements = comparison.LabelAgreements,
                SumAbsoluteDifference = comparison.SumAbsoluteDifference,
                MaxAbsoluteDifference = comparison.MaxAbsoluteDifference,
                SumRelativeDifference = comparison.SumRelativeDifference,
                Dropped = comparison.Dropped,
            };
        }

        return statistics;
    }

    public static LatencyHistogramData ToMessage(LatencyHistogram histogram)
    {
        var buckets = new List<int>();
        var counts = new List<long>();
        for (var i = 0; i < histogram.Counts.Length; i++)
        {
            if (histogram.Counts[i] != 0)
            {
                buckets.Add(i);
                counts.Add(histogram.Counts[i]);
            }
        }

        return new LatencyHistogramData([.. buckets], [.. counts], histogram.SumMicroseconds, histogram.MaxRecordedMicroseconds);
    }

    public static LatencyHistogram ToHistogram(LatencyHistogramData message)
    {
        var counts = new long[LatencyHistogram.BucketCount];
        for (var i = 0; i < message.Buckets.Length; i++)
        {
            var bucket = message.Buckets[i];
            if ((uint)bucket < (uint)counts.Length)
            {
                counts[bucket] += message.Counts[i];
            }
        }

        return LatencyHistogram.FromCounts(counts, message.SumMicroseconds, message.MaxMicroseconds);
    }

    public static PredictionDistributionData ToMessage(PredictionDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return new(distribution.Name, distribution.Edges, distribution.Counts, distribution.ReferenceCounts);
    }

    public static ShadowComparisonData ToMessage(ShadowComparison comparison) => new(
        comparison.Compared,
        comparison.LabelAgreements,
        comparison.SumAbsoluteDifference,
        comparison.MaxAbsoluteDifference,
        comparison.SumRelativeDifference,
        comparison.Dropped);

    public static ReferenceProfileData ToMessage(StatisticsProfile profile, string source) => new(
        [.. profile.Features.Select(ToMessage)],
        [.. profile.Predictions.Select(ToMessage)],
        profile.RowCount,
        source);

    public static FeatureProfileData ToMessage(ProfiledFeature feature) => new(
        feature.Name, feature.Edges, feature.ReferenceCounts, feature.Mean, feature.StandardDeviation, feature.Minimum, feature.Maximum);

    public static StatisticsProfile ToProfile(ReferenceProfileData message) => new(
        [.. message.Features.Select(ToProfile)],
        [.. message.Predictions.Select(ToProfile)],
        message.RowCount);

    public static ProfiledFeature ToProfile(FeatureProfileData message) => new(
        message.Name, message.Edges, message.ReferenceCounts, message.Mean, message.StandardDeviation, message.Minimum, message.Maximum);

    public static PromotionPolicyData ToMessage(PromotionPolicy policy) => new(
        policy.MinimumRows,
        policy.MinimumDuration,
        policy.MinimumShadowAgreement,
        policy.MaximumMeanScoreDelta,
        policy.MaximumP99Ratio,
        policy.MaximumErrorRate,
        policy.MaximumAccuracyDrop,
        policy.MinimumLabelledRows,
        policy.AutoPromote,
        policy.AutoRollback,
        policy.EvaluationSpan);

    public static PromotionPolicy ToPolicy(PromotionPolicyData data) => new()
    {
        MinimumRows = data.MinimumRows,
        MinimumDuration = data.MinimumDuration,
        MinimumShadowAgreement = data.MinimumShadowAgreement,
        MaximumMeanScoreDelta = data.MaximumMeanScoreDelta,
        MaximumP99Ratio = data.MaximumP99Ratio,
        MaximumErrorRate = data.MaximumErrorRate,
        MaximumAccuracyDrop = data.MaximumAccuracyDrop,
        MinimumLabelledRows = data.MinimumLabelledRows,
        AutoPromote = data.AutoPromote,
        AutoRollback = data.AutoRollback,
        EvaluationSpan = data.EvaluationSpan,
    };

    public static GateCheckData ToMessage(GateCheck check) =>
        new(check.Name, check.Passed, check.Skipped, check.Actual, check.Limit, check.Detail);

    private static void CopyCounts(long[][] source, BinnedHistogram[] destination)
    {
        if (source.Length != destination.Length)
        {
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            if (source[i].Length == destination[i].Counts.Length)
            {
                source[i].CopyTo(destination[i].Counts, 0);
            }
        }
    }
}
