using MlopsAspire.LoadTest.Reports;

namespace MlopsAspire.LoadTest.Tests;

public sealed class CapacityPlanTests
{
    [Theory]
    [InlineData(12_000, 5_000, 3)]
    [InlineData(10_000, 5_000, 2)]
    [InlineData(10_001, 5_000, 3)]
    [InlineData(1, 5_000, 1)]
    [InlineData(100, 13.7, 8)]
    public void The_replicas_are_the_target_rate_over_one_replicas_rate_rounded_up(double target, double perReplica, int replicas)
    {
        var plan = CapacityPlan.For(target, perReplica, "Release");

        Assert.Equal(replicas, plan.Replicas);
        Assert.EndsWith("(Release build measured)", plan.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_rate_that_met_the_objective_there_is_no_count()
    {
        var plan = CapacityPlan.For(1_000, null, "Debug");

        Assert.Null(plan.Replicas);
        Assert.Equal("no replica count for 1,000 req/s: one replica met the objective at no rate tried (Debug build measured)", plan.Summary);
    }

    [Fact]
    public void The_report_states_the_count_the_target_build_and_draws_one_replicas_limit_on_the_curve()
    {
        var report = ReportWriterTests.SampleReport() with
        {
            RateSearch = ReportWriterTests.SampleSearch() with { Capacity = CapacityPlan.For(4000, 1500, "Debug") },
        };

        var html = HtmlReportWriter.Write(report);
        var markdown = MarkdownReportWriter.Write(report);

        Assert.Contains("<h2>Capacity: 3 replicas for 4,000 req/s</h2>", html, StringComparison.Ordinal);
        Assert.Contains("Target build: <strong>Debug</strong>", html, StringComparison.Ordinal);
        Assert.Contains("data-series=\"one replica's limit 1,500/s\"", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("**Capacity:** 4,000 req/s needs 3 replicas at 1,500 req/s each (Debug build measured).", markdown, StringComparison.Ordinal);
        Assert.Equal(report.RateSearch.Capacity, JsonReportWriter.Read(JsonReportWriter.Write(report)).RateSearch!.Capacity);
    }
}
