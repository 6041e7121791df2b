using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Tests;

public sealed class WindowTests
{
    private static readonly ReferenceProfile Profile = ReferenceProfile.FromRows(
        ["x"], [.. Enumerable.Range(0, 1000).Select(i => new[] { (float)i })]);

    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_retried_snapshot_is_counted_once_and_out_of_order_ones_are_accepted_once()
    {
        var deduplicator = new SnapshotDeduplicator();
        Assert.True(deduplicator.TryAccept("replica-a", 10, Noon));
        Assert.False(deduplicator.TryAccept("replica-a", 10, Noon));
        Assert.True(deduplicator.TryAccept("replica-a", 12, Noon));
        Assert.True(deduplicator.TryAccept("replica-a", 11, Noon));
        Assert.False(deduplicator.TryAccept("replica-a", 11, Noon));
        Assert.True(deduplicator.TryAccept("replica-b", 10, Noon));
        Assert.True(deduplicator.TryAccept("replica-a", 200, Noon));
        Assert.False(deduplicator.TryAccept("replica-a", 12, Noon));
    }

    [Fact]
    public void A_sender_silent_for_an_hour_of_the_others_intervals_is_forgotten_and_a_live_one_still_refuses_its_retries()
    {
        var deduplicator = new SnapshotDeduplicator();
        Assert.True(deduplicator.TryAccept("gone", 5, Noon));
        var second = 0;
        for (; second <= 3601; second++)
        {
            Assert.True(deduplicator.TryAccept("live", second + 1, Noon.AddSeconds(second)));
        }

        // More than an hour of intervals after its last one: forgotten at the next sweep; the live sender is kept.
        deduplicator.ForgetSilentSenders();
        Assert.Equal(["live"], deduplicator.HighestSequences.Keys);
        Assert.False(deduplicator.TryAccept("live", second, Noon.AddSeconds(second - 1)));
    }

    [Fact]
    public void Senders_restored_without_their_latest_interval_are_kept_for_a_whole_silence_after_the_restore()
    {
        var deduplicator = new SnapshotDeduplicator();
        deduplicator.Restore("stored-before", highest: 40, seen: 1UL);
        Assert.True(deduplicator.TryAccept("live", 1, Noon));
        deduplicator.ForgetSilentSenders();
        Assert.False(deduplicator.TryAccept("stored-before", 40, Noon));

        Assert.True(deduplicator.TryAccept("live", 2, Noon + SnapshotDeduplicator.SilenceForgotten + TimeSpan.FromSeconds(1)));
        deduplicator.ForgetSilentSenders();
        Assert.Equal(["live"], deduplicator.HighestSequences.Keys);
    }

    [Fact]
    public void Snapshots_merge_into_the_window_of_their_interval_and_old_windows_are_dropped()
    {
        var windows = new RollingWindows(Profile, shortWindowsKept: 3);
        var start = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var sequence = 0;
        for (var minute = 0; minute < 5; minute++)
        {
            for (var second = 0; second < 60; second += 20)
            {
                var statistics = new PredictionStatistics(Profile) { RequestCount = 1, RowCount = 2 };
                statistics.Features[0].Add(minute * 100);
                var at = start.AddMinutes(minute).AddSeconds(second);
                Assert.True(windows.Add(new StatisticsSnapshot("replica-a", sequence++, at, at.AddSeconds(1), statistics)));
            }
        }

        Assert.Equal(3, windows.ShortWindows.Count);
        Assert.Equal(start.AddMinutes(2), windows.ShortWindows.Keys.First());
        Assert.All(windows.ShortWindows.Values, window => Assert.Equal(3, window.RequestCount));
        Assert.Single(windows.LongWindows);
        Assert.Equal(15, windows.LongWindows.Values.Single().RequestCount);
        Assert.Equal(6, windows.Since(start.AddMinutes(3)).RequestCount);

        var duplicate = new StatisticsSnapshot("replica-a", sequence - 1, start, start, new PredictionStatistics(Profile) { RequestCount = 99 });
        Assert.False(windows.Add(duplicate));
        Assert.Equal(15, windows.LongWindows.Values.Single().RequestCount);
    }

    [Fact]
    public void Merged_statistics_equal_an_offline_count_of_the_same_rows()
    {
        var random = new Random(11);
        var rows = Enumerable.Range(0, 3000).Select(_ => new[] { (float)(random.NextDouble() * 1200 - 100) }).ToList();
        var parts = Enumerable.Range(0, 4).Select(_ => new PredictionStatistics(Profile)).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            parts[i % 4].Features[0].Add(rows[i][0]);
        }

        var merged = new PredictionStatistics(Profile);
        foreach (var part in parts)
        {
            merged.Merge(part);
        }

        var edges = Profile.Features[0].Edges;
        var offline = new long[edges.Length + 1];
        foreach (var row in rows)
        {
            offline[edges.Count(edge => edge <= row[0])]++;
        }

        Assert.Equal(offline, merged.Features[0].Counts);
    }
}
