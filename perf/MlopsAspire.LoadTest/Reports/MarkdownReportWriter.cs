using System.Globalization;
using System.Text;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>The report for a pull request or RESULTS.md: runs, ratios and the objective search as tables.</summary>
public static class MarkdownReportWriter
{
    public static string Write(LoadTestReport report)
    {
        var markdown = new StringBuilder();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"# {report.Title}");
        markdown.AppendLine();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"`{report.CommandLine}`  ");
        markdown.AppendLine(CultureInfo.InvariantCulture,
            $"{report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {report.Machine.LogicalCores} cores, {report.Machine.OperatingSystem}, {report.Machine.Runtime}, {report.Machine.Build} build");
        markdown.AppendLine();
        foreach (var table in report.Comparisons)
        {
            AppendComparison(markdown, table);
        }

        if (report.Runs.Count > 0)
        {
            AppendRuns(markdown, report.Runs);
        }

        if (report.RateSearch is { } search)
        {
            AppendSearch(markdown, search);
        }

        if (report.Notes.Count > 0)
        {
            markdown.AppendLine("## Notes");
            markdown.AppendLine();
            foreach (var note in report.Notes)
            {
                markdown.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }

            markdown.AppendLine();
        }

        return markdown.ToString();
    }

    public static void AppendComparison(StringBuilder markdown, ComparisonTable table)
    {
        markdown.AppendLine(CultureInfo.InvariantCulture, $"## {table.Title}");
        markdown.AppendLine();
        markdown.AppendLine("| subject | reference | req/s subject | req/s reference | throughput ratio | p50 ratio | p99 ratio |");
        markdown.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var row in table.Rows)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Subject} | {row.Reference} | {Formatting.Rate(row.SubjectThroughput)} | {Formatting.Rate(row.ReferenceThroughput)} | {Formatting.Ratio(row.ThroughputRatio)} | {Formatting.Ratio(row.P50Ratio)} | {Formatting.Ratio(row.P99Ratio)} |");
        }

        markdown.AppendLine();
    }

    public static void AppendRuns(StringBuilder markdown, IReadOnlyList<RunReport> runs)
    {
        markdown.AppendLine("## Runs");
        markdown.AppendLine();
        markdown.AppendLine("| run | target | workload | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | CPU µs/req | errors | repeats |");
        markdown.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var run in runs)
        {
            var latency = run.Latency;
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Name} | {run.Target} | {run.Workload} | {Formatting.Rate(run.Throughput)} | {Formatting.Ms(latency.P50Ms)} | {Formatting.Ms(latency.P90Ms)} | {Formatting.Ms(latency.P99Ms)} | {Formatting.Ms(latency.P999Ms)} | {Formatting.Ms(latency.MaxMs)} | {run.CpuMicrosecondsPerRequest:0.0} | {Formatting.Errors(run.ErrorsByStatus)} | {run.Repeats} |");
        }

        markdown.AppendLine();
        var batched = runs.Where(run => run.ServerBatching is not null).ToList();
        if (batched.Count > 0)
        {
            markdown.AppendLine("| run | rows answered | model runs | rows per run (server's ModelStatistics) |");
            markdown.AppendLine("|---|---:|---:|---:|");
            foreach (var run in batched)
            {
                var batching = run.ServerBatching!;
                markdown.AppendLine(CultureInfo.InvariantCulture,
                    $"| {run.Name} | {batching.Inferences:#,0} | {batching.Executions:#,0} | {batching.RowsPerRun:0.0#} |");
            }

            markdown.AppendLine();
        }

        var open = runs.Where(run => run.TargetRate is not null).ToList();
        if (open.Count > 0)
        {
            markdown.AppendLine("| run | target rate/s | achieved rate/s | late sends | missed sends | max send lag ms |");
            markdown.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var run in open)
            {
                markdown.AppendLine(CultureInfo.InvariantCulture,
                    $"| {run.Name} | {Formatting.Rate(run.TargetRate ?? 0)} | {Formatting.Rate(run.AchievedRate ?? 0)} | {run.LateSends} | {run.MissedSends} | {Formatting.Ms(run.MaxSendLagMs ?? 0)} |");
            }

            markdown.AppendLine();
        }
    }

    private static void AppendSearch(StringBuilder markdown, RateSearchReport search)
    {
        markdown.AppendLine(CultureInfo.InvariantCulture,
            $"## Highest rate with p99 ≤ {Formatting.Number(search.ObjectiveP99Ms)} ms and errors ≤ {Formatting.Percent(search.MaxErrorRate)}: {(search.BestRate is { } best ? Formatting.Rate(best) + " req/s" : "none (the start rate already missed it)")}");
        markdown.AppendLine();
        markdown.AppendLine("| target rate/s | achieved rate/s | req/s | p50 ms | p99 ms | error rate | missed | met |");
        markdown.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var step in search.Steps)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {Formatting.Rate(step.TargetRate)} | {Formatting.Rate(step.AchievedRate)} | {Formatting.Rate(step.Throughput)} | {Formatting.Ms(step.P50Ms)} | {Formatting.Ms(step.P99Ms)} | {Formatting.Percent(step.ErrorRate)} | {step.MissedSends} | {(step.MetObjective ? "yes" : "no")} |");
        }

        markdown.AppendLine();
        if (search.Capacity is { } capacity)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"**Capacity:** {capacity.Summary}.");
            markdown.AppendLine();
        }
    }
}
