using Inference;
using MlopsAspire.LoadTest.Baselines;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Reports;
using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// Short real runs of the tool against in-process servers, on the real clock: the generator works end to end. They
/// assert what no machine's speed can change (the runs happened, their counts agree, the reports have their shape);
/// how the schedulers keep time is for <see cref="SchedulerTimingTests"/>, on a stepped clock.
/// </summary>
public sealed class SmokeTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "mlopsaspire-loadtest-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Unary_and_stream_scenarios_against_an_in_process_replica_complete_without_errors()
    {
        var console = new StringWriter();
        // A drain far beyond the run: however slow the machine, no request is cut off.
        string[] args = ["fraud-unary", "fraud-stream", "--in-process", "--rate", "200", "--duration", "2s", "--warmup", "0.5s", "--max-warmup", "1s", "--drain-timeout", "120s", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        Assert.Equal(["fraud-unary", "fraud-stream"], report.Runs.Select(run => run.Name));
        Assert.All(report.Runs, run =>
        {
            // A constant 200/s for 2 s is 400 sends however late they leave; 400 never fill the in-flight limit.
            Assert.Equal(400, run.Sent);
            Assert.Equal(0, run.MissedSends);
            Assert.Equal((200.0, 200.0), (run.TargetRate, run.AchievedRate));
            Assert.Equal(run.Sent, run.Succeeded + run.Failed);
            Assert.Equal(0, run.Failed);
            Assert.Empty(run.ErrorsByStatus);
            Assert.Equal(run.Succeeded, run.Latency.Count);
            // The replica's own ModelStatistics, read around the measured run: every row it answered, none of the warm-up's.
            Assert.True(run.ServerBatching is { Inferences: 400, Executions: >= 1 and <= 400 }, $"{run.Name}: {run.ServerBatching}");
        });
        Assert.True(File.Exists(Path.Combine(_output, ReportFiles.HtmlName)));
        Assert.Contains("model runs for 400 rows", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("p99", console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_with_a_target_rate_plans_replicas_from_the_highest_rate_that_met_the_objective()
    {
        var console = new StringWriter();
        // An objective every machine meets (p99 under 100 s, any error rate), so the search climbs 50 → 100 and stops
        // at --max-rate: one replica's limit is 100/s, and 250/s needs ⌈250 ÷ 100⌉ = 3 replicas.
        string[] args = ["fraud-unary", "--objective-p99-ms", "100000", "--max-error-rate", "1", "--start-rate", "50", "--max-rate", "150",
            "--step-factor", "2", "--step-duration", "1s", "--refine-steps", "0", "--warmup", "0.2s", "--max-warmup", "1s", "--drain-timeout", "120s",
            "--target-rate", "250", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var search = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName))).RateSearch!;
        Assert.Equal([50.0, 100.0], search.Steps.Select(step => step.TargetRate));
        Assert.Equal(new CapacityPlan(250, 100, 3, MachineInfo.Current.Build), search.Capacity);
        Assert.Contains($"capacity: 250 req/s needs 3 replicas at 100 req/s each ({MachineInfo.Current.Build} build measured)", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("Capacity: 3 replicas for 250 req/s", await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.HtmlName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_scenarios_call_the_replicas_engine_in_process_with_batching_on_and_off()
    {
        var console = new StringWriter();
        string[] args = ["pipeline-batching-on", "pipeline-batching-off", "--concurrency", "16", "--duration", "1s", "--warmup", "0.2s", "--max-warmup", "1s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        Assert.Equal(["pipeline-batching-on", "pipeline-batching-off"], report.Runs.Select(run => run.Name));
        Assert.All(report.Runs, run =>
        {
            Assert.True(run.Succeeded > 0, $"{run.Name}: nothing answered");
            Assert.Equal(run.Sent, run.Succeeded + run.Failed);
            Assert.Equal(0, run.Failed);
            Assert.StartsWith("pipeline", run.Call, StringComparison.Ordinal);
        });
        Assert.Equal("BatchingInferenceExecutor", report.Runs[0].Details["executor"]);
        Assert.Equal("InlineInferenceExecutor", report.Runs[1].Details["executor"]);
    }

    [Fact]
    public async Task Baselines_measure_all_four_contenders_with_the_same_client_and_print_the_ratios()
    {
        var console = new StringWriter();
        string[] args = ["baselines", "--model", "fraud", "--concurrency", "8", "--duration", "1s", "--warmup", "0.2s", "--max-warmup", "1s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        Assert.Equal(
            [BaselineSuite.Compute, BaselineSuite.Transport, BaselineSuite.Naive, BaselineSuite.Ours],
            report.Runs.Select(run => run.Name["fraud ".Length..]));
        Assert.All(report.Runs, run =>
        {
            Assert.True(run.Succeeded > 0, $"{run.Name}: nothing answered");
            Assert.Equal(run.Sent, run.Succeeded + run.Failed);
            Assert.Equal(0, run.Failed);
        });
        var comparison = Assert.Single(report.Comparisons);
        Assert.Equal(3, comparison.Rows.Count);
        Assert.Contains("| fraud ours | fraud naive-server |", console.ToString(), StringComparison.Ordinal);

        // Every contender gets the same cores and says how it was configured and warmed.
        var cores = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var runs = report.Runs.ToDictionary(run => run.Name["fraud ".Length..]);
        Assert.Equal(cores, runs[BaselineSuite.Compute].Details["threads"]);
        Assert.Equal(cores, runs[BaselineSuite.Naive].Details["runs at once"]);
        Assert.Equal(cores, runs[BaselineSuite.Ours].Details["instances"]);
        Assert.All(
            new[] { BaselineSuite.Compute, BaselineSuite.Naive, BaselineSuite.Ours },
            name => Assert.Equal("cpu", runs[name].Details["provider"]));
        Assert.All(report.Runs, run => Assert.InRange(run.Warmup.Time, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(1)));
        // Ours reports how it ran the rows; the naive server has no ModelStatistics, so its run says nothing rather than zero.
        Assert.Equal(runs[BaselineSuite.Ours].Succeeded, runs[BaselineSuite.Ours].ServerBatching?.Inferences);
        Assert.Null(runs[BaselineSuite.Naive].ServerBatching);
        Assert.NotEqual("unknown", report.Machine.Build);
    }

    [Fact]
    public async Task Interrupted_baselines_still_write_the_rounds_every_contender_finished()
    {
        // Ctrl+C as the echo's second run is summarised: round 1 is whole, round 2 is cut short at the naive server.
        using var interrupt = new CancellationTokenSource();
        var console = new InterruptingWriter($"fraud {BaselineSuite.Transport} →", occurrence: 2, interrupt);
        string[] args = ["baselines", "--model", "fraud", "--concurrency", "4", "--repeat", "3", "--duration", "0.5s", "--warmup", "0.2s", "--max-warmup", "1s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, interrupt.Token);

        Assert.True(interrupt.IsCancellationRequested, console.ToString());
        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        Assert.Equal(
            [BaselineSuite.Compute, BaselineSuite.Transport, BaselineSuite.Naive, BaselineSuite.Ours],
            report.Runs.Select(run => run.Name["fraud ".Length..]));
        Assert.All(report.Runs, run =>
        {
            Assert.Equal(1, run.Repeats);
            Assert.True(run.Succeeded > 0, $"{run.Name}: nothing answered");
        });
        Assert.Equal(3, Assert.Single(report.Comparisons).Rows.Count);
        Assert.Contains(report.Notes, note => note.Contains("interrupted: 1 of 3 round(s) finished", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_scenario_interrupted_before_its_run_is_reported_with_what_it_sent()
    {
        // Ctrl+C as the unary run is summarised: the stream scenario after it starts interrupted.
        using var interrupt = new CancellationTokenSource();
        var console = new InterruptingWriter("fraud-unary →", occurrence: 1, interrupt);
        string[] args = ["fraud-unary", "fraud-stream", "--in-process", "--concurrency", "4", "--duration", "0.5s", "--warmup", "0.2s", "--max-warmup", "1s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, interrupt.Token);

        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        Assert.Equal(["fraud-unary", "fraud-stream"], report.Runs.Select(run => run.Name));
        Assert.True(report.Runs[0].Succeeded > 0, console.ToString());
        Assert.Equal(report.Runs[0].Succeeded, report.Runs[0].ServerBatching?.Inferences);
        Assert.Equal(report.Runs[1].Sent, report.Runs[1].Succeeded + report.Runs[1].Failed);
    }

    /// <summary>Cancels when a line starting with the marker is written for the given time, as a user's Ctrl+C would.</summary>
    private sealed class InterruptingWriter(string marker, int occurrence, CancellationTokenSource interrupt) : StringWriter
    {
        private int _seen;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(marker, StringComparison.Ordinal) && ++_seen == occurrence)
            {
                interrupt.Cancel();
            }
        }
    }

    [Fact]
    public async Task A_target_list_spreads_requests_over_every_replica_named()
    {
        await using var replicas = await ScenarioTarget.StartInProcessAsync(["fraud"], new ReplicaSettings(), replicaCount: 2, CancellationToken.None);
        var console = new StringWriter();
        var targets = string.Join(",", replicas.Addresses.Select(address => address.Authority));
        string[] args = ["fraud-unary", "--target", targets, "--rate", "100", "--duration", "1s", "--warmup", "0.2s", "--max-warmup", "0.5s", "--drain-timeout", "120s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var run = Assert.Single(JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName))).Runs);
        Assert.Equal(0, run.Failed);
        Assert.Equal(string.Join(", ", replicas.Addresses.Select(address => address.Authority)), run.Target);
        foreach (var address in replicas.Addresses)
        {
            using var channel = GrpcChannels.Create(address);
            var statistics = await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelStatisticsAsync(new ModelStatisticsRequest { Name = "fraud" });
            Assert.True(statistics.ModelStats.Sum(model => (long)model.InferenceCount) > 0, $"{address.Authority} served nothing");
        }
    }

    [Fact]
    public async Task Best_mode_tunes_each_contender_on_the_cores_and_measures_the_setup_it_chose()
    {
        var console = new StringWriter();
        string[] args = ["baselines", "--model", "fraud", "--best", "--cores", "1", "--tune-duration", "0.3s", "--concurrency", "4", "--duration", "0.5s", "--warmup", "0.2s", "--max-warmup", "0.5s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        var runs = report.Runs.ToDictionary(run => run.Name["fraud ".Length..]);
        Assert.All(report.Runs, run => Assert.Equal(0, run.Failed));

        // One core splits as 1 × 1 or, oversubscribed, 2 × 1; ours tries each with the batcher on and off.
        var tuning = report.Notes.Where(note => note.StartsWith("fraud: --best tuning of", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, tuning.Count);
        Assert.Equal(2, tuning[0].Split(" req/s").Length - 1);
        Assert.Equal(2, tuning[1].Split(" req/s").Length - 1);
        Assert.Equal(4, tuning[2].Split(" req/s").Length - 1);

        // What each contender was measured with is the setup its tuning chose.
        var computeChoice = tuning[0][(tuning[0].LastIndexOf("→ ", StringComparison.Ordinal) + 2)..];
        Assert.Equal($"{runs[BaselineSuite.Compute].Details["threads"]} × 1 threads.", computeChoice);
        var naiveChoice = tuning[1][(tuning[1].LastIndexOf("→ ", StringComparison.Ordinal) + 2)..];
        Assert.Equal($"{runs[BaselineSuite.Naive].Details["runs at once"]} × 1 threads.", naiveChoice);
        var oursChoice = tuning[2][(tuning[2].LastIndexOf("→ ", StringComparison.Ordinal) + 2)..];
        Assert.StartsWith($"{runs[BaselineSuite.Ours].Details["instances"]} × 1 threads, batching ", oursChoice, StringComparison.Ordinal);
        Assert.Contains("each contender's best setup", Assert.Single(report.Comparisons).Title, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }
}
