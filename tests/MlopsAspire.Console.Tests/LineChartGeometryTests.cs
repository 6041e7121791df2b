using MlopsAspire.Console.Charts;

namespace MlopsAspire.Console.Tests;

public sealed class LineChartGeometryTests
{
    // A 100 × 50 plot with 10 units of room left and below.
    private static readonly ChartFrame Frame = new(110, 60, 10, 0, 0, 10);

    [Fact]
    public void Lines_span_the_plot_from_zero_to_a_round_ceiling_of_the_largest_value()
    {
        var layout = LineChartGeometry.Layout(
            [
                new ChartSeries("v1", [new(0, 0), new(5, 40), new(10, 80)]),
                new ChartSeries("v2", [new(5, 10), new(10, 20)]),
            ],
            Frame);

        Assert.Equal((0, 10, 100), (layout.XMin, layout.XMax, layout.YMax));
        Assert.Equal("10,50 60,30 110,10", layout.Series[0].Points);
        Assert.Equal("60,45 110,40", layout.Series[1].Points);
        Assert.Equal([0, 1], layout.Series.Select(s => s.ColorIndex));
        Assert.Equal(
            [(0d, 50d, "0"), (25d, 37.5d, "25"), (50d, 25d, "50"), (75d, 12.5d, "75"), (100d, 0d, "100")],
            layout.YTicks.Select(t => (t.Value, t.Position, t.Label)));
    }

    [Fact]
    public void A_fixed_maximum_clamps_values_and_missing_values_leave_their_point_out()
    {
        var layout = LineChartGeometry.Layout(
            [new ChartSeries("agreement", [new(0, 1), new(1, double.NaN), new(2, 0.5), new(3, 1.5)])],
            Frame,
            fixedYMax: 1);

        Assert.Equal("10,0 76.7,25 110,0", layout.Series[0].Points);
    }

    [Fact]
    public void Markers_inside_the_time_axis_become_vertical_lines_and_the_rest_are_left_out()
    {
        var layout = LineChartGeometry.Layout(
            [new ChartSeries("v1", [new(0, 1), new(20, 1)])],
            Frame,
            markers: [new ChartMarker(5, "drift alert", ChartMarker.Alert), new ChartMarker(25, "later", ChartMarker.Lifecycle)]);

        Assert.Equal([(35d, "drift alert", "alert")], layout.Markers.Select(m => (m.X, m.Label, m.Kind)));
    }

    [Fact]
    public void On_the_page_s_time_axis_a_series_that_began_late_starts_where_it_began_and_an_earlier_event_still_shows()
    {
        var layout = LineChartGeometry.Layout(
            [new ChartSeries("v2 agreement", [new(10, 1), new(20, 1)])],
            Frame,
            markers: [new ChartMarker(8, "v2 shadow", ChartMarker.Lifecycle)],
            axis: new TimeAxis(0, 20));

        Assert.Equal((0, 20), (layout.XMin, layout.XMax));
        Assert.Equal("60,0 110,0", layout.Series[0].Points);
        Assert.Equal([50d], layout.Markers.Select(m => m.X));
    }

    [Fact]
    public void One_reading_or_none_still_lays_out_without_dividing_by_zero()
    {
        var single = LineChartGeometry.Layout([new ChartSeries("v1", [new(7, 3)])], Frame);
        var none = LineChartGeometry.Layout([], Frame);

        Assert.Equal("10,20", single.Series[0].Points);
        Assert.Equal((0, 1, 1), (none.XMin, none.XMax, none.YMax));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(0.3, 0.5)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(73, 100)]
    [InlineData(101, 200)]
    [InlineData(4999, 5000)]
    public void The_ceiling_is_one_two_or_five_times_a_power_of_ten(double value, double ceiling) =>
        Assert.Equal(ceiling, LineChartGeometry.RoundCeiling(value), precision: 12);
}
