using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// Where each counter of an interval lives inside one stripe of <see cref="IntervalCounters"/>. Offsets are in
/// longs. The first region holds plain counts that drains add up across stripes; the second holds maxima and
/// double sums (stored as their bits), which drains combine one by one.
/// </summary>
internal sealed class CounterLayout
{
    /// <summary>Longs per 64-byte cache line.</summary>
    public const int CacheLineLongs = 8;

    // Writers entering this stripe; shares the first cache line with the counters every request touches.
    public const int ActiveWriters = 0;
    public const int RequestCount = 1;
    public const int RowCount = 2;
    public const int NonFiniteInputs = 3;
    public const int OutOfRangeInputs = 4;
    public const int QueueSumTicks = 5;
    public const int ComputeSumTicks = 6;
    public const int TotalSumTicks = 7;
    public const int BatchSizes = 8;
    public const int CountersStart = RequestCount;

    // Per shadow version: counts in the summed region, doubles in the combined one.
    public const int ShadowCompared = 0;
    public const int ShadowAgreements = 1;
    public const int ShadowDropped = 2;
    public const int ShadowCountFields = 3;
    public const int ShadowSumAbsoluteBits = 0;
    public const int ShadowMaxAbsoluteBits = 1;
    public const int ShadowSumRelativeBits = 2;
    public const int ShadowDoubleFields = 3;

    public CounterLayout(ReferenceBins? features, ReferenceBins? predictions, int statusSlots, int shadowSlots)
    {
        var next = BatchSizes + PredictionStatistics.BatchSizeBuckets;
        QueueLatency = next;
        ComputeLatency = QueueLatency + LatencyHistogram.BucketCount;
        TotalLatency = ComputeLatency + LatencyHistogram.BucketCount;
        Errors = TotalLatency + LatencyHistogram.BucketCount;
        StatusSlots = statusSlots;
        next = Errors + statusSlots;

        // Features then predictions, back to back, so a request's bin counts are one contiguous range.
        BinnedStart = next;
        FeatureBins = new int[features?.Count ?? 0];
        for (var i = 0; i < FeatureBins.Length; i++)
        {
            FeatureBins[i] = next;
            next += features!.EdgeCount(i) + 2; // bins, then the non-finite count
        }

        PredictionBins = new int[predictions?.Count ?? 0];
        for (var i = 0; i < PredictionBins.Length; i++)
        {
            PredictionBins[i] = next;
            next += predictions!.EdgeCount(i) + 2;
        }

        BinnedLength = next - BinnedStart;
        Shadows = next;
        ShadowSlots = shadowSlots;
        next += shadowSlots * ShadowCountFields;
        CountersEnd = next;

        QueueMaxTicks = next;
        ComputeMaxTicks = next + 1;
        TotalMaxTicks = next + 2;
        ShadowDoubles = next + 3;
        next = ShadowDoubles + shadowSlots * ShadowDoubleFields;

        // A spare cache line after each stripe keeps neighbouring stripes off each other's lines even though
        // the array itself is only 8-byte aligned.
        StripeLength = ((next + CacheLineLongs - 1) / CacheLineLongs * CacheLineLongs) + CacheLineLongs;
    }

    public int QueueLatency { get; }

    public int ComputeLatency { get; }

    public int TotalLatency { get; }

    public int Errors { get; }

    public int StatusSlots { get; }

    public int BinnedStart { get; }

    public int BinnedLength { get; }

    /// <summary>Per feature: offset of its first bin; its non-finite count follows the last bin.</summary>
    public int[] FeatureBins { get; }

    public int[] PredictionBins { get; }

    public int Shadows { get; }

    public int ShadowSlots { get; }

    /// <summary>End (exclusive) of the region whose counters drains add up across stripes.</summary>
    public int CountersEnd { get; }

    public int QueueMaxTicks { get; }

    public int ComputeMaxTicks { get; }

    public int TotalMaxTicks { get; }

    public int ShadowDoubles { get; }

    public int StripeLength { get; }
}
