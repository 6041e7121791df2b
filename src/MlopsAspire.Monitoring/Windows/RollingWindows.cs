using MlopsAspire.Monitoring.Profiles;

namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// Merges snapshots into fixed windows: 1-minute windows kept for a day and 1-hour windows kept for a month
/// (both configurable). A snapshot lands in the window holding its interval's start; duplicates are refused.
/// </summary>
public sealed class RollingWindows(ReferenceProfile? profile, TimeSpan? shortWindow = null, int shortWindowsKept = 1440, TimeSpan? longWindow = null, int longWindowsKept = 720)
{
    private readonly SortedDictionary<DateTimeOffset, PredictionStatistics> _short = [];
    private readonly SortedDictionary<DateTimeOffset, PredictionStatistics> _long = [];

    public TimeSpan ShortWindow { get; } = shortWindow ?? TimeSpan.FromMinutes(1);

    public TimeSpan LongWindow { get; } = longWindow ?? TimeSpan.FromHours(1);

    public SnapshotDeduplicator Deduplicator { get; } = new();

    public IReadOnlyDictionary<DateTimeOffset, PredictionStatistics> ShortWindows => _short;

    public IReadOnlyDictionary<DateTimeOffset, PredictionStatistics> LongWindows => _long;

    /// <summary>Merges a snapshot; false when it was already counted.</summary>
    public bool Add(StatisticsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!Deduplicator.TryAccept(snapshot.ReplicaId, snapshot.Sequence, snapshot.IntervalEnd))
        {
            return false;
        }

        MergeInto(_short, WindowStart(snapshot.IntervalStart, ShortWindow), snapshot.Statistics, shortWindowsKept);
        MergeInto(_long, WindowStart(snapshot.IntervalStart, LongWindow), snapshot.Statistics, longWindowsKept);
        return true;
    }

    /// <summary>Puts back a window kept in storage (after a restart), replacing any window with that start.</summary>
    public void Restore(DateTimeOffset start, PredictionStatistics statistics, bool longWindow)
    {
        var windows = longWindow ? _long : _short;
        windows[start] = statistics;
        while (windows.Count > (longWindow ? longWindowsKept : shortWindowsKept))
        {
            windows.Remove(windows.Keys.First());
        }
    }

    /// <summary>The merge of the short windows that start at or after <paramref name="since"/>.</summary>
    public PredictionStatistics Since(DateTimeOffset since)
    {
        var total = new PredictionStatistics(profile);
        foreach (var (start, window) in _short)
        {
            if (start >= since)
            {
                total.Merge(window);
            }
        }

        return total;
    }

    public static DateTimeOffset WindowStart(DateTimeOffset time, TimeSpan window) =>
        new(time.UtcTicks - (time.UtcTicks % window.Ticks), TimeSpan.Zero);

    private void MergeInto(SortedDictionary<DateTimeOffset, PredictionStatistics> windows, DateTimeOffset start, PredictionStatistics statistics, int kept)
    {
        if (!windows.TryGetValue(start, out var window))
        {
            window = new PredictionStatistics(profile);
            windows[start] = window;
        }

        window.Merge(statistics);
        while (windows.Count > kept)
        {
            windows.Remove(windows.Keys.First());
        }
    }
}
