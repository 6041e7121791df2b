using Bunit;
using Mlops.V1;
using MlopsAspire.Console.Charts;
using MlopsAspire.Console.Components.Charts;
using MlopsAspire.Console.Live;

namespace MlopsAspire.Console.Tests;

public sealed class ChartComponentTests : BunitContext
{
    [Fact]
    public void A_line_chart_draws_each_series_where_the_geometry_puts_it()
    {
        ChartSeries[] series = [new("v1", [new(0, 0), new(10, 80)]), new("v2", [new(0, 40), new(10, 20)])];

        var chart = Render<LineChart>(parameters => parameters
            .Add(c => c.Title, "Requests/s")
            .Add(c => c.Key, "throughput")
            .Add(c => c.Series, series));

        var expected = LineChartGeometry.Layout(series, ChartFrame.Default);
        Assert.Equal(expected.Series.Select(s => s.Points), chart.FindAll("polyline").Select(p => p.GetAttribute("points")));
        // 48 + 422 (plot width) at the last reading; 10 + 166 × (1 − 80/100) for 80 on an axis to 100.
        Assert.Equal("48,176 470,43.2", chart.FindAll("polyline")[0].GetAttribute("points"));
        Assert.Equal(["v1", "v2"], chart.FindAll(".legend li").Select(li => li.TextContent));
    }

    [Fact]
    public void The_drift_heatmap_colours_cells_by_severity_from_the_live_readings()
    {
        var history = new LiveHistory();
        var start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        history.Record(start, Stats("amount", "None"));
        history.Record(start.AddSeconds(3), Stats("amount", "Alert"));

        var heatmap = Render<DriftHeatmap>(parameters => parameters
            .Add(c => c.Title, "drift")
            .Add(c => c.Columns, history.Drift("2")));

        Assert.Equal(["cell ok", "cell alert"], heatmap.FindAll("rect").Select(r => r.GetAttribute("class")));
        // 300 units of plot after 176 for the names, two readings of 150 each; one feature over the 192 units of height.
        Assert.Equal(["176,4,150,192", "326,4,150,192"], heatmap.FindAll("rect").Select(r =>
            $"{r.GetAttribute("x")},{r.GetAttribute("y")},{r.GetAttribute("width")},{r.GetAttribute("height")}"));
    }

    private static ModelStats Stats(string feature, string severity)
    {
        var version = new VersionStats { Version = "2", Role = "production", Requests = 60 };
        version.Features.Add(new FeatureDrift { Name = feature, Psi = severity == "Alert" ? 0.4 : 0.01, Severity = severity });
        var stats = new ModelStats { ModelName = "fraud" };
        stats.Versions.Add(version);
        return stats;
    }
}
