using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using MlopsAspire.Console.Charts;
using MlopsAspire.Console.Live;

namespace MlopsAspire.Console.Tests;

public sealed class EventMarkerTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Lifecycle_events_and_alerts_from_the_audit_trail_are_marked_where_they_happened()
    {
        var history = new LiveHistory();
        history.Record(Start, Stats());
        history.Record(Start.AddSeconds(10), Stats());
        AuditEvent[] audit =
        [
            Event(Start.AddSeconds(7), "monitoring", "alert:drift", "1", "amount: PSI 0.31"),
            Event(Start.AddSeconds(4), "alice", "promote", "2", "better auc"),
            Event(Start.AddSeconds(-60), "alice", "register", "2", ""),
        ];

        var markers = history.EventMarkers(audit);

        // Seconds since the first reading, in time order; an event before the page's first reading is off the axis.
        Assert.Equal(
            [(-60d, "v2 register by alice", "lifecycle"), (4d, "v2 promote by alice: better auc", "lifecycle"), (7d, "v1 alert:drift by monitoring: amount: PSI 0.31", "alert")],
            markers.Select(m => (m.X, m.Label, m.Kind)));
        var layout = LineChartGeometry.Layout([new ChartSeries("v1", [new(0, 1), new(10, 1)])], ChartFrame.Default, markers: markers);
        // 48 + 422 × 4/10 and 48 + 422 × 7/10.
        Assert.Equal([(216.8, "lifecycle"), (343.4, "alert")], layout.Markers.Select(m => (m.X, m.Kind)));
    }

    [Fact]
    public void The_drift_heatmap_marks_an_event_at_the_first_reading_that_follows_it()
    {
        var frame = new ChartFrame(210, 44, 10, 2, 0, 2);
        DriftColumn[] columns =
        [
            new(0, new Dictionary<string, DriftReading> { ["a"] = new(0.01, "None") }),
            new(3, new Dictionary<string, DriftReading> { ["a"] = new(0.01, "None") }),
            new(6, new Dictionary<string, DriftReading> { ["a"] = new(0.3, "Alert") }),
            new(9, new Dictionary<string, DriftReading> { ["a"] = new(0.3, "Alert") }),
        ];

        var layout = HeatmapGeometry.Layout(columns, frame, [new(-1, "before", "lifecycle"), new(4.5, "alert", "alert"), new(6, "promote", "lifecycle"), new(9.5, "after", "lifecycle")]);

        // Four columns of 50 units after the 10 on the left: the event at 4.5 s shows where the reading at 6 s begins.
        Assert.Equal([(110d, "alert"), (110d, "promote")], layout.Markers.Select(m => (m.X, m.Label)));
    }

    private static ModelStats Stats()
    {
        var stats = new ModelStats { ModelName = "fraud" };
        stats.Versions.Add(new VersionStats { Version = "1", Role = "production", Requests = 60 });
        return stats;
    }

    private static AuditEvent Event(DateTimeOffset at, string actor, string action, string version, string reason) =>
        new() { At = Timestamp.FromDateTimeOffset(at), Actor = actor, Action = action, Version = version, Reason = reason };
}
