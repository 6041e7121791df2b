using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Profiles;

namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// Everything observed about one model version over an interval, mergeable: request outcomes, latency,
/// batch sizes, input and prediction distributions on the reference bins, data quality and shadow agreement.
/// Replicas fill one per interval; monitoring merges them into windows.
/// </summary>
public sealed class PredictionStatistics
{
    /// <summary>Batch-size buckets: 1, 2, 3-4, 5-8, … up to 2^15 and above.</summary>
    public const int BatchSizeBuckets = 17;

    public PredictionStatistics(ReferenceProfile? profile)
    {
        Features = profile?.Features.Select(feature => feature.CreateHistogram()).ToArray() ?? [];
        Predictions = profile?.Predictions.Select(prediction => prediction.CreateHistogram()).ToArray() ?? [];
    }

    private PredictionStatistics(BinnedHistogram[] features, BinnedHistogram[] predictions)
    {
        Features = features;
        Predictions = predictions;
    }

    public long RequestCount { get; set; }

    public long RowCount { get; set; }

    /// <summary>Failed requests by status name (e.g. INVALID_ARGUMENT).</summary>
    public Dictionary<string, long> ErrorsByStatus { get; } = new(StringComparer.Ordinal);

    public long ErrorCount => ErrorsByStatus.Values.Sum();

    public LatencyHistogram QueueLatency { get; private set; } = new();

    public LatencyHistogram ComputeLatency { get; private set; } = new();

    public LatencyHistogram TotalLatency { get; private set; } = new();

    public long[] BatchSizes { get; private set; } = new long[BatchSizeBuckets];

    /// <summary>Per input feature, on the reference profile's bins (same order as the profile).</summary>
    public BinnedHistogram[] Features { get; }

    /// <summary>Per scored output, on the reference profile's bins.</summary>
    public BinnedHistogram[] Predictions { get; }

    /// <summary>Input values that were NaN or infinite.</summary>
    public long NonFiniteInputs { get; set; }

    /// <summary>Finite input values outside the reference range.</summary>
    public long OutOfRangeInputs { get; set; }

    /// <summary>Ground truth joined with this version's predictions (from feedback).</summary>
    public OutcomeStatistics Outcomes { get; private set; } = new();

    /// <summary>Comparison with each shadow version, by version.</summary>
    public Dictionary<string, ShadowComparison> Shadows { get; } = new(StringComparer.Ordinal);

    public double ErrorRate => RequestCount == 0 ? 0 : (double)ErrorCount / RequestCount;

    public static int BatchSizeBucketOf(int batchSize) =>
        batchSize <= 1 ? 0 : Math.Min(BatchSizeBuckets - 1, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(batchSize - 1)));

    public void RecordError(string status, long count = 1)
    {
        RequestCount += count;
        ErrorsByStatus[status] = ErrorsByStatus.GetValueOrDefault(status) + count;
    }

    public void RecordBatch(int batchSize) => BatchSizes[BatchSizeBucketOf(batchSize)]++;

    /// <summary>Adds another interval's statistics of the same version (same reference bins).</summary>
    public void Merge(PredictionStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Features.Length != Features.Length || other.Predictions.Length != Predictions.Length)
        {
            throw new ArgumentException("statistics built on different reference profiles cannot be merged", nameof(other));
        }

        RequestCount += other.RequestCount;
        RowCount += other.RowCount;
        foreach (var (status, count) in other.ErrorsByStatus)
        {
            ErrorsByStatus[status] = ErrorsByStatus.GetValueOrDefault(status) + count;
        }

        QueueLatency.Merge(other.QueueLatency);
        ComputeLatency.Merge(other.ComputeLatency);
        TotalLatency.Merge(other.TotalLatency);
        for (var i = 0; i < BatchSizes.Length; i++)
        {
            BatchSizes[i] += other.BatchSizes[i];
        }

        for (var i = 0; i < Features.Length; i++)
        {
            Features[i].Merge(other.Features[i]);
        }

        for (var i = 0; i < Predictions.Length; i++)
        {
            Predictions[i].Merge(other.Predictions[i]);
        }

        NonFiniteInputs += other.NonFiniteInputs;
        OutOfRangeInputs += other.OutOfRangeInputs;
        Outcomes.Merge(other.Outcomes);
        foreach (var (version, comparison) in other.Shadows)
        {
            if (Shadows.TryGetValue(version, out var mine))
            {
                mine.Merge(comparison);
            }
            else
            {
                Shadows[version] = comparison.Clone();
            }
        }
    }

    public PredictionStatistics Clone()
    {
        var copy = new PredictionStatistics(
            [.. Features.Select(histogram => histogram.Clone())],
            [.. Predictions.Select(histogram => histogram.Clone())])
        {
            RequestCount = RequestCount,
            RowCount = RowCount,
            QueueLatency = QueueLatency.Clone(),
            ComputeLatency = ComputeLatency.Clone(),
            TotalLatency = TotalLatency.Clone(),
            BatchSizes = (long[])BatchSizes.Clone(),
            NonFiniteInputs = NonFiniteInputs,
            OutOfRangeInputs = OutOfRangeInputs,
            Outcomes = Outcomes.Clone(),
        };
        foreach (var (status, count) in ErrorsByStatus)
        {
            copy.ErrorsByStatus[status] = count;
        }

        foreach (var (version, comparison) in Shadows)
        {
            copy.Shadows[version] = comparison.Clone();
        }

        return copy;
    }
}
