using Mlops.V1;
using MlopsAspire.Console.Charts;

namespace MlopsAspire.Console.Live;

/// <summary>
/// What the console has read of one model since the page opened: each refresh's statistics over the last
/// <see cref="Span"/>, kept up to a capacity, turned into chart series (X in seconds since the first reading).
/// The monitoring API answers with aggregates over a span, so the lines over time are the console's own readings.
/// </summary>
public sealed class LiveHistory(int capacity = LiveHistory.DefaultCapacity)
{
    public const int DefaultCapacity = 100;

    /// <summary>How far back each reading looks: rates are requests over this span.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(1);

    /// <summary>How the audit trail names a raised alert (<c>alert:drift</c>; a cleared one is <c>alert-cleared:drift</c>).</summary>
    private const string AlertRaisedPrefix = "alert:";

    private readonly List<StatsReading> _readings = [];

    public IReadOnlyList<StatsReading> Readings => _readings;

    public StatsReading? Latest => _readings.Count == 0 ? null : _readings[^1];

    public void Record(DateTimeOffset at, ModelStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        _readings.Add(new StatsReading(at, stats));
        if (_readings.Count > capacity)
        {
            _readings.RemoveAt(0);
        }
    }

    /// <summary>Requests per second over <see cref="Span"/>.</summary>
    public static double RequestRate(VersionStats version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Requests / Span.TotalSeconds;
    }

    /// <summary>One series per version (in the order versions first appear) of <paramref name="value"/>.</summary>
    public IReadOnlyList<ChartSeries> PerVersion(Func<VersionStats, double> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var series = new Dictionary<string, List<ChartPoint>>(StringComparer.Ordinal);
        foreach (var reading in _readings)
        {
            foreach (var version in reading.Stats.Versions.Where(v => string.IsNullOrEmpty(v.Unavailable)))
            {
                Points(series, $"v{version.Version} ({version.Role})").Add(new ChartPoint(X(reading.At), value(version)));
            }
        }

        return [.. series.Select(s => new ChartSeries(s.Key, s.Value))];
    }

    /// <summary>One series per shadow version of its comparison with production (agreement, mean |Δscore|).</summary>
    public IReadOnlyList<ChartSeries> Shadows(Func<ShadowStats, double> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var series = new Dictionary<string, List<ChartPoint>>(StringComparer.Ordinal);
        foreach (var reading in _readings)
        {
            foreach (var shadow in reading.Stats.Versions.SelectMany(v => v.Shadows).Where(s => s.Compared > 0))
            {
                Points(series, $"v{shadow.ShadowVersion}").Add(new ChartPoint(X(reading.At), value(shadow)));
            }
        }

        return [.. series.Select(s => new ChartSeries(s.Key, s.Value))];
    }

    /// <summary>A version's feature drift at each reading that measured it.</summary>
    public IReadOnlyList<DriftColumn> Drift(string version) =>
        [.. _readings
            .Select(reading => (reading.At, Stats: reading.Stats.Versions.FirstOrDefault(v => v.Version == version)))
            .Where(r => r.Stats is { Features.Count: > 0 })
            .Select(r => new DriftColumn(X(r.At), r.Stats!.Features.ToDictionary(f => f.Name, f => new DriftReading(f.Psi, f.Severity), StringComparer.Ordinal)))];

    /// <summary>
    /// The model's events on the time axis, in time order: its audit trail holds every lifecycle event (registration,
    /// validation, shadow, canary, promotion, rollback, retirement, retraining) and every alert monitoring raised or
    /// cleared, each with when it happened. X is in seconds since the first reading, so events from before the page
    /// opened fall off the charts' axes.
    /// </summary>
    public IReadOnlyList<ChartMarker> EventMarkers(IEnumerable<AuditEvent> audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return _readings.Count == 0
            ? []
            : [.. audit
                .Where(e => e.At is not null)
                .Select(e => new ChartMarker(
                    X(e.At.ToDateTimeOffset()),
                    $"v{e.Version} {e.Action} by {e.Actor}{(string.IsNullOrEmpty(e.Reason) ? "" : $": {e.Reason}")}",
                    e.Action.StartsWith(AlertRaisedPrefix, StringComparison.Ordinal) ? ChartMarker.Alert : ChartMarker.Lifecycle))
                .OrderBy(m => m.X)];
    }

    /// <summary>From the first reading to the latest, on the time axis of every chart of the page.</summary>
    public TimeAxis Axis => new(0, Latest is null ? 0 : X(Latest.At));

    /// <summary>Seconds since the first reading.</summary>
    public double X(DateTimeOffset at) => _readings.Count == 0 ? 0 : Math.Round((at - _readings[0].At).TotalSeconds, 3);

    private static List<ChartPoint> Points(Dictionary<string, List<ChartPoint>> series, string name)
    {
        if (!series.TryGetValue(name, out var points))
        {
            series[name] = points = [];
        }

        return points;
    }
}
