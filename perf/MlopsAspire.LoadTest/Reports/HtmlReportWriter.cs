using System.Globalization;
using System.Net;
using System.Text;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>
/// One self-contained HTML page (well-formed XHTML): the tables of the Markdown report plus latency-over-time,
/// throughput-over-time and percentile-distribution charts as inline SVG. No scripts, fonts or stylesheets to
/// fetch, so it opens offline and can be attached to a pull request or a build.
/// </summary>
public static class HtmlReportWriter
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
        table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        code { background: #f4f4f4; padding: 1px 4px; }
        .meta { color: #555; font-size: 13px; }
        .chart { display: block; margin: 8px 0 20px; }
        .chart-title { font-size: 14px; font-weight: 600; }
        .tick, .legend { font-size: 11px; fill: #444; }
        .axis { font-size: 12px; fill: #222; }
        .grid { stroke: #e6e6e6; stroke-width: 1; }
        .frame { fill: none; stroke: #999; stroke-width: 1; }
        """;

    public static string Write(LoadTestReport report)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">");
        html.AppendLine(CultureInfo.InvariantCulture, $"<head><meta charset=\"utf-8\" /><title>{E(report.Title)}</title><style>{Style}</style></head>");
        html.AppendLine("<body>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<h1>{E(report.Title)}</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"meta\"><code>{E(report.CommandLine)}</code><br />{report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC · {report.Machine.LogicalCores} cores · {E(report.Machine.OperatingSystem)} · {E(report.Machine.Runtime)} · {E(report.Machine.Build)} build</p>");

        foreach (var table in report.Comparisons)
        {
            AppendComparison(html, table);
        }

        if (report.Runs.Count > 0)
        {
            AppendRuns(html, report.Runs);
        }

        if (report.RateSearch is { } search)
        {
            AppendSearch(html, search);
        }

        if (report.Runs.Count > 0)
        {
            AppendCharts(html, report.Runs);
        }

        if (report.Notes.Count > 0)
        {
            html.AppendLine("<h2>Notes</h2><ul>");
            foreach (var note in report.Notes)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<li>{E(note)}</li>");
            }

            html.AppendLine("</ul>");
        }

        html.AppendLine("</body>");
        html.AppendLine("</html>");
        return html.ToString();
    }

    private static void AppendComparison(StringBuilder html, ComparisonTable table)
    {
        html.AppendLine(CultureInfo.InvariantCulture, $"<h2>{E(table.Title)}</h2>");
        html.AppendLine("<table class=\"comparison\"><tr><th>subject</th><th>reference</th><th>req/s subject</th><th>req/s reference</th><th>throughput ratio</th><th>p50 ratio</th><th>p99 ratio</th></tr>");
        foreach (var row in table.Rows)
        {
            Row(html, row.Subject, row.Reference, Formatting.Rate(row.SubjectThroughput), Formatting.Rate(row.ReferenceThroughput),
                Formatting.Ratio(row.ThroughputRatio), Formatting.Ratio(row.P50Ratio), Formatting.Ratio(row.P99Ratio));
        }

        html.AppendLine("</table>");
    }

    private static void AppendRuns(StringBuilder html, IReadOnlyList<RunReport> runs)
    {
        html.AppendLine("<h2>Runs</h2>");
        html.AppendLine("<table class=\"runs\"><tr><th>run</th><th>target</th><th>workload</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th><th>repeats</th></tr>");
        foreach (var run in runs)
        {
            var latency = run.Latency;
            Row(html, run.Name, run.Target, run.Workload, Formatting.Rate(run.Throughput), Formatting.Ms(latency.P50Ms), Formatting.Ms(latency.P90Ms),
                Formatting.Ms(latency.P99Ms), Formatting.Ms(latency.P999Ms), Formatting.Ms(latency.MaxMs), Formatting.Errors(run.ErrorsByStatus),
                run.Repeats.ToString(CultureInfo.InvariantCulture));
        }

        html.AppendLine("</table>");
        var open = runs.Where(run => run.TargetRate is not null).ToList();
        if (open.Count > 0)
        {
            html.AppendLine("<table class=\"open-model\"><tr><th>run</th><th>target rate/s</th><th>achieved rate/s</th><th>late sends</th><th>missed sends</th><th>max send lag ms</th></tr>");
            foreach (var run in open)
            {
                Row(html, run.Name, Formatting.Rate(run.TargetRate ?? 0), Formatting.Rate(run.AchievedRate ?? 0),
                    (run.LateSends ?? 0).ToString(CultureInfo.InvariantCulture), (run.MissedSends ?? 0).ToString(CultureInfo.InvariantCulture), Formatting.Ms(run.MaxSendLagMs ?? 0));
            }

            html.AppendLine("</table>");
        }
    }

    private static void AppendSearch(StringBuilder html, RateSearchReport search)
    {
        html.AppendLine(CultureInfo.InvariantCulture,
            $"<h2>Highest rate with p99 ≤ {Formatting.Number(search.ObjectiveP99Ms)} ms and errors ≤ {Formatting.Percent(search.MaxErrorRate)}: {(search.BestRate is { } best ? Formatting.Rate(best) + " req/s" : "none")}</h2>");
        html.AppendLine("<table class=\"search\"><tr><th>target rate/s</th><th>achieved rate/s</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>error rate</th><th>missed</th><th>met</th></tr>");
        foreach (var step in search.Steps)
        {
            Row(html, Formatting.Rate(step.TargetRate), Formatting.Rate(step.AchievedRate), Formatting.Rate(step.Throughput), Formatting.Ms(step.P50Ms),
                Formatting.Ms(step.P99Ms), Formatting.Percent(step.ErrorRate), step.MissedSends.ToString(CultureInfo.InvariantCulture), step.MetObjective ? "yes" : "no");
        }

        html.AppendLine("</table>");
        if (search.Capacity is { } capacity)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h2>Capacity: {(capacity.Replicas is { } replicas ? $"{replicas} replica{(replicas == 1 ? string.Empty : "s")}" : "none")} for {Formatting.Rate(capacity.TargetRate)} req/s</h2>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"capacity\">{E(capacity.Summary)}. Target build: <strong>{E(capacity.TargetBuild)}</strong>. One replica's limit is the highest rate of the curve below that met the objective.</p>");
        }

        var ordered = search.Steps.OrderBy(step => step.TargetRate).ToList();
        List<ChartSeries> curve =
        [
            new ChartSeries("p99", Palette[1], [.. ordered.Select(step => (step.TargetRate, step.P99Ms))]),
            new ChartSeries($"objective {Formatting.Number(search.ObjectiveP99Ms)} ms", "#888888",
                ordered.Count == 0 ? [] : [(ordered[0].TargetRate, search.ObjectiveP99Ms), (ordered[^1].TargetRate, search.ObjectiveP99Ms)], Dashed: true),
        ];
        if (search.BestRate is { } limit)
        {
            curve.Add(new ChartSeries($"one replica's limit {Formatting.Rate(limit)}/s", Palette[2], [(limit, 0), (limit, search.ObjectiveP99Ms)], Dashed: true));
        }

        html.AppendLine(SvgLineChart.Render("p99 latency by target rate", "target rate (requests/s)", "p99 latency (ms)", curve));
    }

    // The last interval of a run ends with it and may last only milliseconds: too few requests to plot.
    private const double ShortestPlottedIntervalSeconds = 0.2;

    private static void AppendCharts(StringBuilder html, IReadOnlyList<RunReport> runs)
    {
        html.AppendLine("<h2>Latency over time</h2>");
        var latencySeries = new List<ChartSeries>();
        for (var i = 0; i < runs.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var intervals = runs[i].Intervals.Where(sample => sample.IntervalSeconds >= ShortestPlottedIntervalSeconds).ToList();
            latencySeries.Add(new ChartSeries($"{runs[i].Name} p99", color, [.. intervals.Select(sample => (sample.ElapsedSeconds, sample.P99Ms))]));
            latencySeries.Add(new ChartSeries($"{runs[i].Name} p50", color, [.. intervals.Select(sample => (sample.ElapsedSeconds, sample.P50Ms))], Dashed: true));
        }

        html.AppendLine(SvgLineChart.Render("p50 (dashed) and p99 latency per second", "seconds since start", "latency (ms)", latencySeries));

        html.AppendLine("<h2>Throughput over time</h2>");
        html.AppendLine(SvgLineChart.Render(
            "successful requests per second",
            "seconds since start",
            "requests/s",
            [.. runs.Select((run, i) => new ChartSeries(run.Name, Palette[i % Palette.Length],
                [.. run.Intervals.Where(sample => sample.IntervalSeconds >= ShortestPlottedIntervalSeconds).Select(sample => (sample.ElapsedSeconds, sample.Succeeded / sample.IntervalSeconds))]))]));

        html.AppendLine("<h2>Latency by percentile</h2>");
        var highestNines = runs.SelectMany(run => run.Distribution).Where(point => point.Percentile < 100)
            .Select(point => SvgLineChart.PercentileToX(point.Percentile)).DefaultIfEmpty(2).Max();
        html.AppendLine(SvgLineChart.Render(
            "latency at each percentile (log scale of 1/(1-p))",
            "percentile",
            "latency (ms)",
            [.. runs.Select((run, i) => new ChartSeries(run.Name, Palette[i % Palette.Length],
                [.. run.Distribution.Where(point => point.Percentile < 100).Select(point => (SvgLineChart.PercentileToX(point.Percentile), point.LatencyMs))]))],
            SvgLineChart.PercentileTicks(highestNines)));
    }

    private static void Row(StringBuilder html, params string[] cells)
    {
        html.Append("<tr>");
        foreach (var cell in cells)
        {
            html.Append("<td>").Append(E(cell)).Append("</td>");
        }

        html.AppendLine("</tr>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
