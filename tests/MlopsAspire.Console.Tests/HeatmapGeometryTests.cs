using MlopsAspire.Console.Charts;

namespace MlopsAspire.Console.Tests;

public sealed class HeatmapGeometryTests
{
    // A 200 × 40 plot after 10 units for the feature names and 2 above and below.
    private static readonly ChartFrame Frame = new(210, 44, 10, 2, 0, 2);

    [Fact]
    public void Features_are_rows_in_name_order_readings_are_columns_and_each_cell_has_monitoring_s_severity()
    {
        var layout = HeatmapGeometry.Layout(
            [
                new DriftColumn(0, new Dictionary<string, DriftReading> { ["b"] = new(0.05, "None"), ["a"] = new(0.15, "Warning") }),
                new DriftColumn(3, new Dictionary<string, DriftReading> { ["a"] = new(0.3, "Alert") }),
            ],
            Frame);

        Assert.Equal([("a", 12d), ("b", 32d)], layout.Rows.Select(r => (r.Label, r.Position)));
        Assert.Equal(
            [
                ("a", 10d, 2d, 100d, 20d, "warning"),
                ("a", 110d, 2d, 100d, 20d, "alert"),
                ("b", 10d, 22d, 100d, 20d, "ok"),
                ("b", 110d, 22d, 100d, 20d, "missing"),
            ],
            layout.Cells.Select(c => (c.Feature, c.X, c.Y, c.Width, c.Height, c.Level)));
        Assert.Equal("a: PSI 0.3 (Alert)", layout.Cells[1].Title);
        Assert.Equal("b: not measured", layout.Cells[3].Title);
    }

    [Fact]
    public void Nothing_measured_draws_nothing()
    {
        var layout = HeatmapGeometry.Layout([new DriftColumn(0, new Dictionary<string, DriftReading>())], Frame);

        Assert.Empty(layout.Cells);
        Assert.Empty(layout.Rows);
    }
}
