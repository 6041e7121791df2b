using Bunit;
using Mlops.V1;
using MlopsAspire.Console.Charts;
using MlopsAspire.Console.Components.Charts;

namespace MlopsAspire.Console.Tests;

public sealed class DistributionChartTests : BunitContext
{
    // Bins below 0.2, 0.2 to 0.5, 0.5 and above: 4 recent predictions (25%, 50%, 25%) against 10 reference rows (50%, 30%, 20%).
    private static readonly PredictionDistribution Scores = new()
    {
        Name = "Probability.output",
        Edges = { 0.2, 0.5 },
        Counts = { 1, 2, 1 },
        ReferenceCounts = { 5, 3, 2 },
    };

    [Fact]
    public void Recent_shares_are_bars_and_the_reference_a_step_line_over_the_same_bins()
    {
        var chart = Render<DistributionChart>(parameters => parameters
            .Add(c => c.Title, "Predictions")
            .Add(c => c.Distribution, Scores));

        // Three slots of 422 / 3 units after the 48 on the left; a bar fills the middle eight tenths of its slot. The
        // largest share is 50%, so the axis runs to 0.5: 25% is half of the 166 units of plot height above 176.
        Assert.Equal(
            ["62.1,93,112.5,83", "202.7,10,112.5,166", "343.4,93,112.5,83"],
            chart.FindAll("rect.bar").Select(r => $"{r.GetAttribute("x")},{r.GetAttribute("y")},{r.GetAttribute("width")},{r.GetAttribute("height")}"));
        Assert.Equal("48,10 188.7,10 188.7,76.4 329.3,76.4 329.3,109.6 470,109.6", chart.Find("polyline.reference-step").GetAttribute("points"));
        Assert.Equal(
            ["below 0.2: 25% of the recent predictions, 50% of the reference", "0.2 to 0.5: 50% of the recent predictions, 30% of the reference", "0.5 and above: 25% of the recent predictions, 20% of the reference"],
            chart.FindAll("rect.bar title").Select(t => t.TextContent));
        Assert.Equal(["0%", "12.5%", "25%", "37.5%", "50%", "0.2", "0.5"], chart.FindAll("text.tick").Select(t => t.TextContent));
        Assert.Equal(["last minute (4 predictions)", "reference (10 rows)"], chart.FindAll(".legend li").Select(li => li.TextContent));
    }

    [Fact]
    public void No_recent_predictions_leave_the_reference_alone_and_no_distribution_says_why()
    {
        var idle = Render<DistributionChart>(parameters => parameters
            .Add(c => c.Title, "Predictions")
            .Add(c => c.Distribution, new PredictionDistribution { Name = "p", Edges = { 0.2, 0.5 }, Counts = { 0, 0, 0 }, ReferenceCounts = { 5, 3, 2 } }));
        var none = Render<DistributionChart>(parameters => parameters.Add(c => c.Title, "Predictions"));

        Assert.Empty(idle.FindAll("rect.bar"));
        Assert.Equal("48,10 188.7,10 188.7,76.4 329.3,76.4 329.3,109.6 470,109.6", idle.Find("polyline.reference-step").GetAttribute("points"));
        Assert.Empty(none.FindAll("svg"));
        Assert.Contains("needs a reference profile", none.Find("p.muted").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_that_do_not_fit_the_edges_draw_nothing_rather_than_a_wrong_picture()
    {
        var layout = DistributionChartGeometry.Layout([0.2, 0.5], [1, 2], [5, 3, 2], ChartFrame.Default);

        Assert.Empty(layout.Bars);
        Assert.Equal("", layout.ReferencePoints);
    }
}
