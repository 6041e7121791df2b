using System.Text;
using MlopsAspire.LoadTest.Baselines;
using MlopsAspire.LoadTest.Reports;
using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Cli;

/// <summary>The load generator's entry point: parses the command line, runs, prints and writes the reports.</summary>
public static class LoadTestCommand
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int UsageError = 2;

    /// <param name="time">The clock every run paces and measures itself by: <see cref="TimeProvider.System"/> for real runs.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        LoadTestOptions options;
        try
        {
            options = LoadTestArguments.Parse(args);
        }
        catch (UsageException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            await error.WriteLineAsync("run with --help for usage");
            return UsageError;
        }

        if (options.Verb == LoadTestVerb.Help)
        {
            await output.WriteLineAsync(LoadTestArguments.Usage);
            return Success;
        }

        if (options.Verb == LoadTestVerb.List)
        {
            foreach (var scenario in ScenarioCatalog.All)
            {
                var where = scenario.Target switch
                {
                    TargetKind.InProcessOnly => "in-process only",
                    TargetKind.PlatformOnly => "--target only",
                    _ => "--target or in-process",
                };
                await output.WriteLineAsync($"{scenario.Name,-16} {scenario.Description} [{where}]{(scenario.TargetSetup is null ? string.Empty : $"; target: {scenario.TargetSetup}")}");
            }

            await output.WriteLineAsync($"{ScenarioCatalog.AnyModelPrefix + "NAME",-16} any model the target serves, requests from its ModelMetadata or --input-data, one per unary ModelInfer [--target, or in-process with --set Inference:ModelRepository=DIR]");
            await output.WriteLineAsync($"{ScenarioCatalog.AnyModelStreamPrefix + "NAME",-16} the same over bidirectional ModelStreamInfer streams");

            return Success;
        }

        if (options.Verb == LoadTestVerb.Models)
        {
            DemoModelFiles.WriteRepository(options.ModelFolder!, options.BaselineModels);
            await output.WriteLineAsync($"wrote {string.Join(", ", options.BaselineModels)} as version 1 under {Path.GetFullPath(options.ModelFolder!)}");
            return Success;
        }

        var console = new ConsoleOutput(output, interactive: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected, options.Progress);
        var report = new LoadTestReport
        {
            Title = "MlopsAspire load test",
            CommandLine = "MlopsAspire.LoadTest " + string.Join(' ', args),
            StartedAt = time.GetUtcNow(),
            Machine = MachineInfo.Current,
        };
        if (!string.Equals(report.Machine.Build, "Release", StringComparison.OrdinalIgnoreCase))
        {
            // In-process targets run the serving code of this build; a Debug build's numbers are not the product's.
            console.Line($"warning: this is a {report.Machine.Build} build; measure with 'dotnet run -c Release --project perf/MlopsAspire.LoadTest'");
        }

        if (options.DiscoverFrom is { } management)
        {
            var model = options.Scenarios[0].Model;
            try
            {
                options = options with
                {
                    Targets = await ReplicaDiscovery.DiscoverAsync(management, model, Environment.GetEnvironmentVariable(ReplicaDiscovery.ApiKeyVariable), cancellationToken),
                };
            }
            catch (Exception exception) when (exception is InvalidOperationException or Grpc.Core.RpcException)
            {
                var reason = exception is Grpc.Core.RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : exception.Message;
                await error.WriteLineAsync($"error: could not discover the replicas of {model} at {management.Authority}: {reason}");
                return RunFailed;
            }

            console.Line($"discovered {options.Targets.Count} replica{(options.Targets.Count == 1 ? "" : "s")} of {model}: {options.TargetDescription}");
        }

        try
        {
            report = options.Verb switch
            {
                LoadTestVerb.Baselines => await RunBaselinesAsync(report, options, console, time, cancellationToken),
                _ when options.IsSearch => await RunSearchAsync(report, options, console, time, cancellationToken),
                _ => await RunScenariosAsync(report, options, console, time, cancellationToken),
            };
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or IOException or Grpc.Core.RpcException)
        {
            console.Line(string.Empty);
            await error.WriteLineAsync($"error: {exception.Message}");
            return RunFailed;
        }

        var markdown = new StringBuilder();
        foreach (var table in report.Comparisons)
        {
            MarkdownReportWriter.AppendComparison(markdown, table);
        }

        if (report.Runs.Count > 1)
        {
            MarkdownReportWriter.AppendRuns(markdown, report.Runs);
        }

        console.Line(string.Empty);
        console.Line(markdown.ToString().TrimEnd());
        foreach (var note in report.Notes)
        {
            console.Line($"note: {note}");
        }

        if (options.OutputDirectory is { } directory)
        {
            foreach (var path in ReportFiles.Write(report, directory))
            {
                console.Line($"wrote {path}");
            }
        }

        return Success;
    }

    private static async Task<LoadTestReport> RunScenariosAsync(LoadTestReport report, LoadTestOptions options, ConsoleOutput console, TimeProvider time, CancellationToken cancellationToken)
    {
        // Scenarios that can share a server share one, and repeats interleave the scenarios, so that they are
        // compared on the same server under the same background noise.
        var targets = new Dictionary<string, ScenarioTarget>(StringComparer.Ordinal);
        // Against --target every scenario shares that one target; in process, scenarios that need the same replica do.
        string TargetKey(Scenario scenario) => options.Target is null ? ScenarioTarget.SharingKey(scenario) : "platform";
        var models = options.Scenarios.Select(s => s.Model).Distinct().ToList();
        var measurements = options.Scenarios.ToDictionary(s => s.Name, _ => new List<RunMeasurement>(), StringComparer.Ordinal);
        var notes = new List<string>();
        try
        {
            foreach (var scenario in options.Scenarios)
            {
                var key = TargetKey(scenario);
                if (!targets.ContainsKey(key))
                {
                    console.Line($"starting target for {scenario.Name}...");
                    targets[key] = await ScenarioTarget.ForScenarioAsync(scenario, models, options, cancellationToken);
                }

                if (options.Target is not null && scenario.TargetSetup is not null)
                {
                    notes.Add($"{scenario.Name}: measured against {options.Target.Authority}, which must be {scenario.TargetSetup}; the load generator does not check this.");
                }
            }

            // Scenarios of one model share its requests: a demo model's own, or those built from the target's metadata.
            var requestSets = new Dictionary<(string Model, bool FromTarget), InferRequestSet>();
            foreach (var scenario in options.Scenarios.Where(scenario => !requestSets.ContainsKey(RequestsKey(scenario))))
            {
                var target = targets[TargetKey(scenario)];
                var requests = await target.RequestsForAsync(scenario, options, cancellationToken);
                requestSets[RequestsKey(scenario)] = requests;
                DescribeRequests(console, scenario, requests);
            }

            for (var repeat = 0; repeat < options.Repeat && !cancellationToken.IsCancellationRequested; repeat++)
            {
                foreach (var scenario in options.Scenarios)
                {
                    var target = targets[TargetKey(scenario)];
                    var requests = requestSets[RequestsKey(scenario)];
                    await using var sender = target.CreateSender(scenario, requests, options);
                    var measurement = await LoadRunner.RunAsync(scenario.Name, sender, options.WorkloadFor(scenario), time, console.Progress, cancellationToken);
                    measurements[scenario.Name].Add(measurement);
                    console.Summary(RunReports.From([measurement], target.Description, scenario.Model, CallName(scenario), target.DetailsWith(requests)));
                }
            }

            var runs = options.Scenarios
                .Select(scenario =>
                {
                    var target = targets[TargetKey(scenario)];
                    return RunReports.From(measurements[scenario.Name], target.Description, scenario.Model, CallName(scenario), target.DetailsWith(requestSets[RequestsKey(scenario)]));
                })
                .ToList();
            foreach (var scenario in options.Scenarios.Where(s => s.Replica.Batching == true))
            {
                notes.Add($"{scenario.Name}: " + BaselineSuite.BatchingNote(targets[ScenarioTarget.SharingKey(scenario)].Details));
            }

            var comparisons = runs.Count > 1
                ? [new ComparisonTable
                {
                    Title = $"each run ÷ {runs[0].Name}{(options.Repeat > 1 ? $" (req/s are medians of {options.Repeat} interleaved runs, ratios the median of the per-run ratios)" : string.Empty)}",
                    Rows = [.. runs.Skip(1).Select(run => ComparisonRow.Of(run, runs[0]))],
                }]
                : new List<ComparisonTable>();
            return report with { Runs = runs, Comparisons = comparisons, Notes = notes };
        }
        finally
        {
            foreach (var target in targets.Values)
            {
                await target.DisposeAsync();
            }
        }
    }

    private static async Task<LoadTestReport> RunSearchAsync(LoadTestReport report, LoadTestOptions options, ConsoleOutput console, TimeProvider time, CancellationToken cancellationToken)
    {
        var scenario = options.Scenarios[0];
        await using var target = await ScenarioTarget.ForScenarioAsync(scenario, [scenario.Model], options, cancellationToken);
        var requests = await target.RequestsForAsync(scenario, options, cancellationToken);
        DescribeRequests(console, scenario, requests);
        await using var sender = target.CreateSender(scenario, requests, options);
        var objective = new RateObjective(options.ObjectiveP99Ms!.Value, options.MaxErrorRate);
        var baseWorkload = options.WorkloadFor(scenario) with { Model = WorkloadModel.Open, Duration = options.StepDuration, RampToRate = null };
        if (baseWorkload.Arrival == ArrivalKind.Ramp)
        {
            baseWorkload = baseWorkload with { Arrival = ArrivalKind.Constant };
        }

        var (search, steps) = await RateSearch.RunAsync(
            scenario.Name,
            (rate, first) => LoadRunner.RunAsync(
                $"{scenario.Name} @ {Formatting.Rate(rate)}/s",
                sender,
                first ? baseWorkload with { Rate = rate } : baseWorkload with { Rate = rate, Warmup = Rewarm(options), MaxWarmup = Rewarm(options) },
                time,
                console.Progress,
                cancellationToken),
            objective,
            options.StartRate,
            options.MaxRate,
            options.StepFactor,
            options.RefineSteps,
            step => console.Line($"  {Formatting.Rate(step.TargetRate)}/s: achieved {Formatting.Rate(step.AchievedRate)}/s, p99 {Formatting.Ms(step.P99Ms)} ms, errors {Formatting.Percent(step.ErrorRate)}, missed {step.MissedSends} → {(step.MetObjective ? "met" : "missed")}"),
            cancellationToken);

        console.Line(search.BestRate is { } best
            ? $"highest rate meeting p99 ≤ {Formatting.Number(objective.P99Ms)} ms and errors ≤ {Formatting.Percent(objective.MaxErrorRate)}: {Formatting.Rate(best)} req/s"
            : $"even {Formatting.Rate(options.StartRate)} req/s missed the objective; lower --start-rate");
        if (options.TargetRate is { } targetRate)
        {
            // An in-process replica runs this tool's build; a running platform does not say which build it runs.
            var targetBuild = options.Target is null ? report.Machine.Build : $"unknown (the platform at {options.TargetDescription} does not report it)";
            search = search with { Capacity = CapacityPlan.For(targetRate, search.BestRate, targetBuild) };
            console.Line($"capacity: {search.Capacity.Summary}");
        }

        var runs = steps.Select(step => RunReports.From([step], target.Description, scenario.Model, CallName(scenario), target.DetailsWith(requests))).ToList();
        return report with { Runs = runs, RateSearch = search };
    }

    private static async Task<LoadTestReport> RunBaselinesAsync(LoadTestReport report, LoadTestOptions options, ConsoleOutput console, TimeProvider time, CancellationToken cancellationToken)
    {
        var runs = new List<RunReport>();
        var comparisons = new List<ComparisonTable>();
        var notes = new List<string>();
        foreach (var model in options.BaselineModels)
        {
            var result = await BaselineSuite.RunAsync(model, options, console, time, cancellationToken);
            runs.AddRange(result.Runs);
            if (result.Comparison is { } comparison)
            {
                comparisons.Add(comparison);
            }

            notes.AddRange(result.Notes);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return report with { Title = "MlopsAspire baselines", Runs = runs, Comparisons = comparisons, Notes = notes };
    }

    /// <summary>Later steps of a search only need connections and caches warm again, not the JIT: no waiting for steady.</summary>
    private static TimeSpan Rewarm(LoadTestOptions options) => TimeSpan.FromSeconds(Math.Min(1, options.Warmup.TotalSeconds));

    private static (string Model, bool FromTarget) RequestsKey(Scenario scenario) => (scenario.Model, scenario.RequestsFromTarget);

    private static void DescribeRequests(ConsoleOutput console, Scenario scenario, InferRequestSet requests)
    {
        if (requests.Details.Count > 0)
        {
            console.Line($"{scenario.Model}: {string.Join("; ", requests.Details.Select(pair => $"{pair.Key} {pair.Value}"))}");
        }
    }

    private static string CallName(Scenario scenario) => scenario.Call switch
    {
        CallKind.Stream => "stream",
        CallKind.Pipeline => "pipeline (in process, no transport)",
        _ => "unary",
    };
}
