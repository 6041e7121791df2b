using System.CommandLine;
using System.Globalization;
using Grpc.Net.Client;
using Inference;
using MlopsAspire.Cli.Scenarios;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary><c>mlops scenario drift</c>: scripted traffic that shows the platform healing a model from concept drift.</summary>
internal sealed class ScenarioCommands(CliConsole console, ServerConnections connections, Option<string?> server)
{
    /// <summary>Exit code of a run that completed but did not recover, apart from 1 for errors.</summary>
    public const int NotRecoveredExitCode = 2;

    // The command's flag for each option property, so option problems are reported the way the user typed them.
    private static readonly Dictionary<string, string> Flags = new()
    {
        [nameof(DriftScenarioOptions.ModelName)] = "--model",
        [nameof(DriftScenarioOptions.RequestsPerSecond)] = "--rate",
        [nameof(DriftScenarioOptions.RowsPerRequest)] = "--rows",
        [nameof(DriftScenarioOptions.SteadyDuration)] = "--steady",
        [nameof(DriftScenarioOptions.TotalDuration)] = "--duration",
        [nameof(DriftScenarioOptions.StopAfterRecovery)] = "--stop-after-recovery",
        [nameof(DriftScenarioOptions.ConceptDrift)] = "--drift",
        [nameof(DriftScenarioOptions.FeedbackDelay)] = "--feedback-delay",
        [nameof(DriftScenarioOptions.BucketWidth)] = "--bucket",
        [nameof(DriftScenarioOptions.Warmup)] = "--warmup",
        [nameof(DriftScenarioOptions.RecoveryTolerance)] = "--tolerance",
    };

    private IAnsiConsole Out => console.Output;

    public Command Build() => new("scenario", "Run scripted traffic against the platform to show what it does.") { Drift() };

    private Command Drift()
    {
        var defaults = new DriftScenarioOptions();
        var model = new Option<string>("--model") { Description = "Model to drive; it must take the fraud features.", DefaultValueFactory = _ => defaults.ModelName };
        var rate = new Option<double>("--rate") { Description = "Requests started per second, whatever the latency.", DefaultValueFactory = _ => defaults.RequestsPerSecond };
        var rows = new Option<int>("--rows") { Description = "Transactions per request.", DefaultValueFactory = _ => defaults.RowsPerRequest };
        var steady = new Option<string>("--steady") { Description = "Time before concept drift starts, e.g. 60s or 2m.", DefaultValueFactory = _ => Seconds(defaults.SteadyDuration) };
        var duration = new Option<string>("--duration") { Description = "Length of the whole run.", DefaultValueFactory = _ => Seconds(defaults.TotalDuration) };
        var stopAfterRecovery = new Option<string?>("--stop-after-recovery") { Description = "End early once a new production version has served this long after drift, e.g. 30s." };
        var drift = new Option<double>("--drift") { Description = "Concept drift from the steady state on, 0 (none) to 1 (fully drifted).", DefaultValueFactory = _ => defaults.ConceptDrift };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated transactions.", DefaultValueFactory = _ => defaults.Seed };
        var feedbackDelay = new Option<string>("--feedback-delay") { Description = "How late ground truth is sent after each answer.", DefaultValueFactory = _ => Seconds(defaults.FeedbackDelay) };
        var bucket = new Option<string>("--bucket") { Description = "Width of the measurement buckets.", DefaultValueFactory = _ => Seconds(defaults.BucketWidth) };
        var warmup = new Option<string>("--warmup") { Description = "Start of the run left out of the pre-drift baseline.", DefaultValueFactory = _ => Seconds(defaults.Warmup) };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest accuracy gap between pre-drift and post-recovery that counts as recovered.", DefaultValueFactory = _ => defaults.RecoveryTolerance };
        var keepPolicies = new Option<bool>("--keep-policies")
        {
            Description = "Leave the model's retraining and promotion policies as they are; by default the scenario sets them to retrain on accuracy alerts and auto-promote a candidate at least as accurate as production.",
        };
        var inferServer = new Option<string?>("--infer-server")
        {
            Description = $"Inference gRPC address (default: ${ServerConnections.InferServerVariable} or {ServerConnections.DefaultInferServer}).",
        };
        var command = new Command(
            "drift",
            "Send labelled fraud traffic, switch its label pattern (concept drift) after the steady state, send ground truth back, " +
            $"and follow accuracy, AUC and the model's versions until a retrained version takes over. Needs an operator key. Exits 0 when accuracy recovered, {NotRecoveredExitCode} when it did not.")
        {
            model, rate, rows, steady, duration, stopAfterRecovery, drift, seed, feedbackDelay, bucket, warmup, tolerance, keepPolicies, inferServer,
        };
        command.SetAction((result, ct) => MlopsCommandLine.GuardAsync(console, () => connections.ManagementAddress(result.GetValue(server)), $"--server or {ServerConnections.ServerVariable}", async () =>
        {
            var options = new DriftScenarioOptions
            {
                ModelName = result.GetValue(model) ?? "",
                RequestsPerSecond = result.GetValue(rate),
                RowsPerRequest = result.GetValue(rows),
                SteadyDuration = DurationText.Parse(result.GetValue(steady), "--steady"),
                TotalDuration = DurationText.Parse(result.GetValue(duration), "--duration"),
                StopAfterRecovery = result.GetValue(stopAfterRecovery) is { } text ? DurationText.Parse(text, "--stop-after-recovery") : null,
                ConceptDrift = result.GetValue(drift),
                Seed = result.GetValue(seed),
                FeedbackDelay = DurationText.Parse(result.GetValue(feedbackDelay), "--feedback-delay"),
                BucketWidth = DurationText.Parse(result.GetValue(bucket), "--bucket"),
                Warmup = DurationText.Parse(result.GetValue(warmup), "--warmup"),
                RecoveryTolerance = result.GetValue(tolerance),
            };
            var problems = options.Problems();
            if (problems.Count > 0)
            {
                throw new CliException(string.Join("; ", problems.Select(problem => $"{Flags.GetValueOrDefault(problem.Option, problem.Option)} {problem.Problem}")) + ".");
            }

            using var inferenceChannel = GrpcChannel.ForAddress(connections.InferenceAddress(result.GetValue(inferServer)));
            var (controlPlaneChannel, management, monitoring) = connections.ControlPlane(result.GetValue(server));
            using (controlPlaneChannel)
            {
                var scenario = new DriftScenario(new GRPCInferenceService.GRPCInferenceServiceClient(inferenceChannel), management, monitoring, options);
                Out.MarkupLine(Markup.Escape(
                    $"Drift scenario on {options.ModelName}: {options.RequestsPerSecond:0.##} requests/s × {options.RowsPerRequest} rows, " +
                    $"concept drift {options.ConceptDrift:0.##} at {Seconds(options.SteadyDuration)}, {Seconds(options.TotalDuration)} in all, " +
                    $"ground truth {Seconds(options.FeedbackDelay)} after each answer."));
                if (!result.GetValue(keepPolicies))
                {
                    await scenario.ConfigureClosedLoopAsync(new ClosedLoopPolicies(), ct);
                    Out.MarkupLine("Policies set: retrain on accuracy alerts, shadow the candidate on all traffic, promote it when it is at least as accurate as production (--keep-policies to skip).");
                }

                var outcome = await scenario.RunAsync(new ProgressLines(Out), ct);
                PrintSummary(outcome);
                return outcome.Recovered ? 0 : NotRecoveredExitCode;
            }
        }));
        return command;
    }

    private void PrintSummary(DriftScenarioResult outcome)
    {
        var table = new Table().AddColumns("", "Value");
        table.AddRow("Pre-drift", Markup.Escape(Quality(outcome.PreDrift)));
        table.AddRow("Drift started", Markup.Escape(outcome.DriftStartedAt is { } drift ? Seconds(drift) : "not reached"));
        table.AddRow("Production", Markup.Escape(outcome.NewProductionVersion is { } version && outcome.ProductionChangedAt is { } changed
            ? $"{Show(outcome.InitialProductionVersion)} → {version} at {Seconds(changed)}" + (outcome.DriftStartedAt is { } start ? $" ({Seconds(changed - start)} after drift)" : "")
            : $"{Show(outcome.FinalProductionVersion)} (no new version took over)"));
        table.AddRow("Post-recovery", Markup.Escape(Quality(outcome.PostRecovery)));
        table.AddRow("Accuracy gap", Markup.Escape(outcome.PreDrift.Rows > 0 && outcome.PostRecovery.Rows > 0
            ? $"{Math.Abs(outcome.PostRecoveryAccuracy - outcome.PreDriftAccuracy) * 100:0.00} points (tolerance {outcome.RecoveryTolerance * 100:0.00})"
            : "-"));
        table.AddRow("Requests", Markup.Escape($"{outcome.RequestsSent:N0} sent, {outcome.RequestsSucceeded:N0} answered, errors: {Counts(outcome.ErrorsByStatus)}"));
        var feedback = outcome.Feedback;
        table.AddRow("Feedback", Markup.Escape($"{feedback.ItemsSent:N0} labelled requests in {feedback.Batches:N0} batches, {feedback.Joined:N0} joined, {feedback.Unknown:N0} unknown, {feedback.Rejected:N0} rejected, errors: {Counts(feedback.ErrorsByStatus)}"));
        if (outcome.PollErrorsByStatus.Count > 0)
        {
            table.AddRow("Route reads", Markup.Escape($"errors: {Counts(outcome.PollErrorsByStatus)}"));
        }

        table.AddRow("Elapsed", Markup.Escape(Seconds(outcome.Elapsed) + (outcome.Cancelled ? " (stopped early)" : "")));
        table.AddRow("Verdict", outcome.Recovered ? "[green]recovered[/]" : $"[red]not recovered[/] {Markup.Escape(WhyNotRecovered(outcome))}");
        Out.Write(table);
        if (feedback.ErrorsByStatus.ContainsKey("PermissionDenied"))
        {
            Out.MarkupLine(Markup.Escape($"Feedback needs the operator role: set {ServerConnections.ApiKeyVariable} to an operator key."));
        }
    }

    private static string WhyNotRecovered(DriftScenarioResult outcome) =>
        outcome.PreDrift.Rows == 0 ? "(no pre-drift baseline was measured)"
        : outcome.NewProductionVersion is null ? "(no new production version took over after drift)"
        : outcome.PostRecovery.Rows == 0 ? "(no bucket was served wholly by the new version yet)"
        : "(accuracy gap above the tolerance)";

    private static string Quality(DriftQuality quality) => quality.Rows == 0
        ? "-"
        : $"accuracy {Percent(quality.Accuracy)}, AUC {Number(quality.Auc)} over {quality.Rows:N0} rows in {quality.Buckets} buckets";

    private static string Counts(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key} {pair.Value:N0}"));

    private static string Show(string version) => version.Length == 0 ? "none" : version;

    internal static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private static string Percent(double share) => double.IsNaN(share) ? "-" : (share * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Number(double value) => double.IsNaN(value) ? "-" : value.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>One line per closed bucket and per event while the scenario runs.</summary>
    private sealed class ProgressLines(IAnsiConsole output) : IDriftScenarioObserver
    {
        public void BucketClosed(DriftBucket bucket)
        {
            var versions = bucket.Versions.Count == 0
                ? "-"
                : string.Join(" ", bucket.Versions.Values.OrderBy(slice => slice.Version, StringComparer.Ordinal).Select(slice => $"v{slice.Version}:{slice.Rows * 100 / Math.Max(1, bucket.Rows)}%"));
            var errors = bucket.ErrorCount == 0 ? "" : $"  errors {bucket.ErrorCount} ({Counts(bucket.Errors)})";
            output.MarkupLine(Markup.Escape(
                $"{Seconds(bucket.Start),7}–{Seconds(bucket.End),-7} accuracy {Percent(bucket.Accuracy),7}  AUC {Number(bucket.Auc),5}  rows {bucket.Rows,6:N0}  {bucket.Concept,-8}  {versions}{errors}"));
        }

        public void EventRecorded(DriftTimelineEvent timelineEvent) =>
            output.MarkupLine($"[yellow]{Markup.Escape($"{Seconds(timelineEvent.At),7}  {timelineEvent.Detail}")}[/]");
    }
}
