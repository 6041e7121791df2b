using System.Xml;
using System.Xml.Linq;
using MlopsAspire.LoadTest.Reports;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

public sealed class ReportWriterTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Html_report_is_well_formed_self_contained_and_carries_the_numbers_and_charts()
    {
        var report = SampleReport();

        var html = HtmlReportWriter.Write(report);
        var document = Parse(html);

        var body = document.Root!.Element(Xhtml + "body")!;
        var cells = body.Descendants(Xhtml + "td").Select(cell => cell.Value).ToList();
        Assert.Contains("fraud-unary", cells);
        Assert.Contains("fraud-stream <&> \"quoted\"", cells); // escaped on the way in, intact on the way out
        Assert.Contains(MlopsAspire.LoadTest.Reports.Formatting.Ms(report.Runs[0].Latency.P99Ms), cells);
        Assert.Contains("2.00×", cells);
        Assert.Contains("Unavailable 3", cells);

        var charts = body.Descendants(Svg + "svg").ToList();
        Assert.Equal(3, charts.Count); // latency over time, throughput over time, percentile distribution
        var polylines = charts.SelectMany(chart => chart.Descendants(Svg + "polyline")).ToList();
        Assert.Contains(polylines, line => (string?)line.Attribute("data-series") == "fraud-unary p99");
        Assert.All(polylines, line => Assert.False(string.IsNullOrWhiteSpace((string?)line.Attribute("points"))));

        // Opens offline: nothing to fetch, nothing to run.
        Assert.DoesNotContain(document.Descendants(), element => element.Name.LocalName is "script" or "link" or "img");
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_report_of_a_rate_search_has_its_steps_and_chart()
    {
        var report = SampleReport() with { RateSearch = SampleSearch() };

        var document = Parse(HtmlReportWriter.Write(report));

        Assert.Equal(4, document.Descendants(Svg + "svg").Count());
        Assert.Contains(document.Descendants(Xhtml + "h2"), heading => heading.Value.Contains("1,500 req/s", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_report_round_trips()
    {
        var report = SampleReport();

        var json = JsonReportWriter.Write(report);
        var read = JsonReportWriter.Read(json);

        Assert.Equal(json, JsonReportWriter.Write(read));
        Assert.Equal(report.Runs[0].Latency, read.Runs[0].Latency);
        Assert.Equal(report.Runs[1].ErrorsByStatus, read.Runs[1].ErrorsByStatus);
        Assert.Equal(report.Runs[0].Intervals, read.Runs[0].Intervals);
        Assert.Equal(report.Comparisons[0].Rows, read.Comparisons[0].Rows);
        Assert.Contains("\"p99Ms\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_report_has_a_row_per_run_and_the_ratio_table()
    {
        var report = SampleReport();

        var lines = MarkdownReportWriter.Write(report).Split('\n').Select(line => line.TrimEnd('\r')).ToList();

        Assert.Contains("| subject | reference | req/s subject | req/s reference | throughput ratio | p50 ratio | p99 ratio |", lines);
        var ratioRow = Assert.Single(lines, line => line.StartsWith("| fraud-stream <&> \"quoted\" | fraud-unary |", StringComparison.Ordinal));
        Assert.Equal(["fraud-stream <&> \"quoted\"", "fraud-unary", "2,000", "1,000", "2.00×", "0.50×", "0.50×"], Cells(ratioRow));
        var runRow = Assert.Single(lines, line => line.StartsWith("| fraud-unary | in-process replica |", StringComparison.Ordinal));
        Assert.Equal(12, Cells(runRow).Length);
        Assert.Equal("61.5", Cells(runRow)[9]); // process CPU per request
        Assert.Contains(lines, line => line.StartsWith("| fraud-unary | 1,000 |", StringComparison.Ordinal)); // open-model table
    }

    /// <summary>A search for p99 ≤ 10 ms that met it at 1,000/s and 1,500/s and missed at 2,000/s.</summary>
    internal static RateSearchReport SampleSearch() => new()
    {
        Scenario = "fraud-unary",
        ObjectiveP99Ms = 10,
        MaxErrorRate = 0.001,
        BestRate = 1500,
        Steps = [new RateStep(1000, 999, 998, 1, 4, 0, 0, true), new RateStep(2000, 1900, 1800, 8, 40, 0.01, 12, false), new RateStep(1500, 1499, 1498, 2, 9, 0, 0, true)],
    };

    internal static LoadTestReport SampleReport()
    {
        var open = new WorkloadSettings { Model = WorkloadModel.Open, Rate = 1000, Duration = TimeSpan.FromSeconds(2) };
        var unary = RunReports.From([HistogramMergeTests.Measurement("fraud-unary", 4, 2000, 2, open) with
        {
            Dispatch = new DispatchOutcome(2000, 2000, 3, 0, 1.5, TimeSpan.FromSeconds(2)),
            ProcessorTime = TimeSpan.FromMilliseconds(123), // over 2,000 requests: 61.5 µs each
        }], "in-process replica", "fraud", "unary");
        var stream = RunReports.From([HistogramMergeTests.Measurement("fraud-stream <&> \"quoted\"", 2, 4000, 2) with
        {
            ErrorsByStatus = new Dictionary<string, long> { ["Unavailable"] = 3 },
        }], "in-process replica", "fraud", "stream");
        return new LoadTestReport
        {
            Title = "sample",
            CommandLine = "MlopsAspire.LoadTest fraud-unary fraud-stream",
            StartedAt = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero),
            Machine = MachineInfo.Current,
            Runs = [unary, stream],
            Comparisons = [new ComparisonTable { Title = "each run ÷ fraud-unary", Rows = [ComparisonRow.Of(stream, unary)] }],
            Notes = ["a note"],
        };
    }

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    private static string[] Cells(string row) => [.. row.Trim('|').Split('|').Select(cell => cell.Trim())];
}
