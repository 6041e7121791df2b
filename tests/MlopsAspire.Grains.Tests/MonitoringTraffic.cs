using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Grains.Tests;

/// <summary>Rows of three Gaussian features and the snapshots a replica would send for them.</summary>
internal static class MonitoringTraffic
{
    /// <summary><paramref name="count"/> rows; the first feature moved by <paramref name="shift"/> standard deviations.</summary>
    public static List<float[]> Rows(Random random, int count, double shift)
    {
        var rows = new List<float[]>(count);
        for (var i = 0; i < count; i++)
        {
            rows.Add([(float)(Gaussian(random) + shift), (float)Gaussian(random), (float)Gaussian(random)]);
        }

        return rows;
    }

    /// <summary>One replica's snapshot of <paramref name="requests"/> requests carrying <paramref name="rows"/>, binned on <paramref name="profile"/>.</summary>
    public static MonitoringSnapshot Snapshot(ReferenceProfile? profile, string replica, long sequence, DateTimeOffset start, List<float[]> rows, long requests = 1)
    {
        var statistics = new PredictionStatistics(profile) { RequestCount = requests, RowCount = rows.Count };
        foreach (var row in rows)
        {
            for (var i = 0; i < statistics.Features.Length; i++)
            {
                statistics.Features[i].Add(row[i]);
            }

            statistics.TotalLatency.Record(500);
        }

        return MonitoringMapper.ToMessage(replica, sequence, start, start.AddSeconds(1), statistics);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
