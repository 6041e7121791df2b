using HdrHistogram;

namespace MlopsAspire.LoadTest.Measurement;

/// <summary>
/// The one histogram shape every measurement uses, so that histograms from workers, intervals and repeats
/// merge: microseconds from 1 µs to one hour at 3 significant digits (0.1% value resolution).
/// </summary>
public static class LatencyHistograms
{
    public const long LowestMicroseconds = 1;
    public const long HighestMicroseconds = 3_600_000_000;
    public const int SignificantDigits = 3;

    public static HistogramBase Create() => new LongHistogram(LowestMicroseconds, HighestMicroseconds, SignificantDigits);

    /// <summary>A histogram that many threads may record into at once.</summary>
    public static HistogramBase CreateConcurrent() => new LongConcurrentHistogram(LowestMicroseconds, HighestMicroseconds, SignificantDigits);

    public static Recorder CreateRecorder() =>
        HistogramFactory.With64BitBucketSize()
            .WithValuesFrom(LowestMicroseconds)
            .WithValuesUpTo(HighestMicroseconds)
            .WithPrecisionOf(SignificantDigits)
            .WithThreadSafeWrites()
            .WithThreadSafeReads()
            .Create();

    /// <summary>Adds every histogram into a new one; the inputs are unchanged.</summary>
    public static HistogramBase Merge(IEnumerable<HistogramBase> histograms)
    {
        var merged = Create();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return merged;
    }

    /// <summary>Clamps into the tracked range: a value outside it would throw in the middle of a run.</summary>
    public static long ToMicroseconds(TimeSpan latency) =>
        Math.Clamp(latency.Ticks / TimeSpan.TicksPerMicrosecond, LowestMicroseconds, HighestMicroseconds);

    public static double ToMilliseconds(long microseconds) => microseconds / 1000.0;

    public static double PercentileMs(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : ToMilliseconds(histogram.GetValueAtPercentile(percentile));

    public static LatencySummary Summarize(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0)
        : new LatencySummary(
            Count: histogram.TotalCount,
            MeanMs: histogram.GetMean() / 1000.0,
            P50Ms: PercentileMs(histogram, 50),
            P90Ms: PercentileMs(histogram, 90),
            P99Ms: PercentileMs(histogram, 99),
            P999Ms: PercentileMs(histogram, 99.9),
            P9999Ms: PercentileMs(histogram, 99.99),
            MaxMs: ToMilliseconds(histogram.GetMaxValue()));

    /// <summary>
    /// Points of the percentile distribution, spaced evenly on the 1/(1-p) log scale HdrHistogram plots use,
    /// from p0 up to the highest percentile the sample count supports.
    /// </summary>
    public static IReadOnlyList<PercentilePoint> Distribution(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return [];
        }

        // Beyond 1 - 1/count a percentile is just the maximum.
        var highestNines = Math.Min(6, Math.Log10(histogram.TotalCount));
        const int PointsPerDecade = 12;
        var points = new List<PercentilePoint>();
        var steps = (int)Math.Ceiling(highestNines * PointsPerDecade);
        for (var step = 0; step <= steps; step++)
        {
            var nines = Math.Min(highestNines, step / (double)PointsPerDecade);
            var percentile = 100.0 * (1 - Math.Pow(10, -nines));
            points.Add(new PercentilePoint(percentile, PercentileMs(histogram, percentile)));
        }

        points.Add(new PercentilePoint(100, ToMilliseconds(histogram.GetMaxValue())));
        return points;
    }
}
