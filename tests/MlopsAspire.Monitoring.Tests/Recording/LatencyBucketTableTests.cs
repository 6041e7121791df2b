using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Recording;

namespace MlopsAspire.Monitoring.Tests.Recording;

public sealed class LatencyBucketTableTests
{
    [Fact]
    public void Every_tick_count_up_to_a_second_and_a_half_lands_in_the_histograms_own_bucket()
    {
        for (long ticks = -3; ticks < 1L << 24; ticks++)
        {
            if (LatencyBucketTable.BucketOf(ticks) != Expected(ticks))
            {
                Assert.Fail($"{ticks} ticks: table says {LatencyBucketTable.BucketOf(ticks)}, histogram says {Expected(ticks)}");
            }
        }
    }

    [Fact]
    public void Tick_counts_next_to_every_bucket_boundary_and_beyond_the_range_land_in_the_histograms_own_bucket()
    {
        var random = new Random(3);
        var probes = new List<long> { long.MinValue, long.MaxValue, 999_999_999, 1_000_000_000, 1_000_000_001 };
        for (var bucket = 1; bucket < LatencyHistogram.BucketCount; bucket++)
        {
            var boundary = (long)Math.Ceiling(LatencyHistogram.UpperBound(bucket - 1) * TimeSpan.TicksPerMicrosecond);
            for (var offset = -2; offset <= 2; offset++)
            {
                probes.Add(boundary + offset);
            }
        }

        for (var i = 0; i < 200_000; i++)
        {
            probes.Add((long)Math.Pow(10, random.NextDouble() * 10));
        }

        foreach (var ticks in probes)
        {
            Assert.Equal(Expected(ticks), LatencyBucketTable.BucketOf(ticks));
        }
    }

    private static int Expected(long ticks) => LatencyHistogram.BucketOf(TimeSpan.FromTicks(ticks).TotalMicroseconds);
}
