using System.Numerics;
using MlopsAspire.Monitoring.Histograms;

namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// <see cref="LatencyHistogram.BucketOf"/> for a whole number of <see cref="TimeSpan"/> ticks without a logarithm:
/// the leading bit and the next five bits of the tick count pick a range less than 1/32 wide, which holds at most
/// one bucket boundary (buckets are 4% wide), so a table lookup and one comparison give the same bucket.
/// </summary>
internal static class LatencyBucketTable
{
    private const int SubRangeBits = 5;
    private const int DirectTicks = 1 << SubRangeBits;
    private const long MaxTicks = (long)(LatencyHistogram.MaxMicroseconds * TimeSpan.TicksPerMicrosecond);

    // Bucket of each tick count below DirectTicks.
    private static readonly int[] Direct = BuildDirect();

    // Bucket at the start of each (leading bit, next five bits) range from DirectTicks up to MaxTicks.
    private static readonly int[] RangeStart;

    // Smallest tick count in each bucket; one extra entry so the comparison never runs off the end.
    private static readonly long[] BucketStart;

    static LatencyBucketTable()
    {
        BucketStart = new long[LatencyHistogram.BucketCount + 1];
        for (var bucket = 1; bucket < BucketStart.Length; bucket++)
        {
            BucketStart[bucket] = bucket == LatencyHistogram.BucketCount ? long.MaxValue : SmallestTicksIn(bucket);
        }

        var octaves = 64 - BitOperations.LeadingZeroCount((ulong)MaxTicks) - SubRangeBits;
        RangeStart = new int[octaves << SubRangeBits];
        for (var index = 0; index < RangeStart.Length; index++)
        {
            var octave = (index >> SubRangeBits) + SubRangeBits;
            var first = (1L << octave) | ((long)(index & (DirectTicks - 1)) << (octave - SubRangeBits));
            RangeStart[index] = Exact(first);
        }
    }

    public static int BucketOf(long ticks)
    {
        if ((ulong)ticks < DirectTicks)
        {
            return Direct[ticks];
        }

        if (ticks < 0)
        {
            return 0;
        }

        if (ticks >= MaxTicks)
        {
            return LatencyHistogram.BucketCount - 1;
        }

        var octave = 63 - BitOperations.LeadingZeroCount((ulong)ticks);
        var index = ((octave - SubRangeBits) << SubRangeBits) | (int)((ticks >> (octave - SubRangeBits)) & (DirectTicks - 1));
        var bucket = RangeStart[index];
        return ticks >= BucketStart[bucket + 1] ? bucket + 1 : bucket;
    }

    private static int Exact(long ticks) => LatencyHistogram.BucketOf(ticks / (double)TimeSpan.TicksPerMicrosecond);

    private static int[] BuildDirect()
    {
        var direct = new int[DirectTicks];
        for (var ticks = 0; ticks < direct.Length; ticks++)
        {
            direct[ticks] = Exact(ticks);
        }

        return direct;
    }

    /// <summary>The smallest tick count whose bucket is at least <paramref name="bucket"/> (the buckets never decrease with time).</summary>
    private static long SmallestTicksIn(int bucket)
    {
        long low = 0, high = MaxTicks;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (Exact(middle) >= bucket)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}
