namespace MlopsAspire.Monitoring.Histograms;

/// <summary>
/// A mergeable latency histogram on fixed log-spaced buckets (about 4% wide, 1 µs to 100 s), so percentiles
/// from merged replicas and windows are as exact as from one. Values are in microseconds.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Each bucket's upper bound grows by this factor.</summary>
    public const double Growth = 1.04;

    public const double MinMicroseconds = 1;
    public const double MaxMicroseconds = 100_000_000;

    /// <summary>Number of buckets: one below the minimum, the log-spaced ones, one above the maximum.</summary>
    public static readonly int BucketCount = (int)Math.Ceiling(Math.Log(MaxMicroseconds / MinMicroseconds) / Math.Log(Growth)) + 2;

    private static readonly double LogGrowth = Math.Log(Growth);

    private double _maxRecorded;

    public LatencyHistogram()
    {
        Counts = new long[BucketCount];
    }

    private LatencyHistogram(long[] counts, long count, double sum, double max)
    {
        Counts = counts;
        Count = count;
        SumMicroseconds = sum;
        _maxRecorded = max;
    }

    public long[] Counts { get; }

    public long Count { get; private set; }

    public double SumMicroseconds { get; private set; }

    /// <summary>The largest value recorded.</summary>
    public double MaxRecordedMicroseconds => _maxRecorded;

    public static LatencyHistogram FromCounts(long[] counts, double sumMicroseconds, double maxMicroseconds)
    {
        if (counts.Length != BucketCount)
        {
            throw new ArgumentException($"a latency histogram has {BucketCount} buckets, got {counts.Length}", nameof(counts));
        }

        long count = 0;
        foreach (var c in counts)
        {
            count += c;
        }

        return new LatencyHistogram((long[])counts.Clone(), count, sumMicroseconds, maxMicroseconds);
    }

    public static int BucketOf(double microseconds)
    {
        if (!(microseconds >= MinMicroseconds))
        {
            return 0;
        }

        if (microseconds >= MaxMicroseconds)
        {
            return BucketCount - 1;
        }

        return Math.Min(BucketCount - 2, 1 + (int)(Math.Log(microseconds / MinMicroseconds) / LogGrowth));
    }

    /// <summary>Upper bound of a bucket in microseconds.</summary>
    public static double UpperBound(int bucket) =>
        bucket <= 0 ? MinMicroseconds : bucket >= BucketCount - 1 ? double.PositiveInfinity : MinMicroseconds * Math.Pow(Growth, bucket);

    public void Record(double microseconds)
    {
        Counts[BucketOf(microseconds)]++;
        Count++;
        SumMicroseconds += microseconds;
        if (microseconds > _maxRecorded)
        {
            _maxRecorded = microseconds;
        }
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < Counts.Length; i++)
        {
            Counts[i] += other.Counts[i];
        }

        Count += other.Count;
        SumMicroseconds += other.SumMicroseconds;
        _maxRecorded = Math.Max(_maxRecorded, other._maxRecorded);
    }

    /// <summary>The value at quantile <paramref name="q"/> in [0, 1] (a bucket's upper bound, capped by the max seen); NaN when empty.</summary>
    public double Percentile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(Math.Clamp(q, 0, 1) * Count);
        rank = Math.Max(rank, 1);
        long seen = 0;
        for (var i = 0; i < Counts.Length; i++)
        {
            seen += Counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), _maxRecorded);
            }
        }

        return _maxRecorded;
    }

    public double MeanMicroseconds => Count == 0 ? double.NaN : SumMicroseconds / Count;

    public LatencyHistogram Clone() => new((long[])Counts.Clone(), Count, SumMicroseconds, _maxRecorded);
}
