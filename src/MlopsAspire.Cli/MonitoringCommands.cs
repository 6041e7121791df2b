using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>
/// <c>mlops models stats|gates|promotion-policy|feedback</c>: what monitoring knows of a model, what its gates say and
/// the policy they follow.
/// </summary>
internal sealed class MonitoringCommands(CliConsole console, ServerConnections connections, Option<string?> server, OutputOption output)
{
    private readonly Argument<string> _name = new("NAME") { Description = "Model name." };

    private IAnsiConsole Out => console.Output;

    public IEnumerable<Command> Build() => [Stats(), Gates(), PromotionPolicy(), Feedback()];

    private Command Stats()
    {
        var version = new Argument<string?>("VERSION") { Description = "One version (default: production, canary and shadows).", Arity = ArgumentArity.ZeroOrOne };
        var span = new Option<TimeSpan>("--span") { Description = "How far back to look (default 01:00:00).", DefaultValueFactory = _ => TimeSpan.FromHours(1) };
        var command = new Command("stats", "Show a model's live statistics: traffic, latency, errors, accuracy, drift and shadow agreement.") { _name, version, span, output.Option };
        SetAction(command, async (client, result, ct) =>
        {
            var stats = await client.GetStatsAsync(
                new GetStatsRequest { ModelName = result.GetRequiredValue(_name), Version = result.GetValue(version) ?? "", Span = Duration.FromTimeSpan(result.GetValue(span)) },
                cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(stats);
                return 0;
            }

            if (stats.Versions.Count == 0)
            {
                Out.MarkupLine("[grey]No version is serving.[/]");
                return 0;
            }

            var table = new Table().AddColumns("Version", "Role", "Requests", "Rows", "Errors", "p50 ms", "p99 ms", "Batch", "Task", "Labelled", "Live metrics", "Drift");
            foreach (var v in stats.Versions.Where(v => !string.IsNullOrEmpty(v.Unavailable)))
            {
                table.AddRow(TableCells.Text(v.Version), TableCells.Text(v.Role), "-", "-", "-", "-", "-", "-", "-", "-", "-", "[red]unavailable[/]");
            }

            foreach (var v in stats.Versions.Where(v => string.IsNullOrEmpty(v.Unavailable)))
            {
                table.AddRow(
                    TableCells.Text(v.Version),
                    TableCells.Text(v.Role),
                    v.Requests.ToString("N0", CultureInfo.InvariantCulture),
                    v.Rows.ToString("N0", CultureInfo.InvariantCulture),
                    Percent(v.ErrorRate),
                    Number(v.P50Ms),
                    Number(v.P99Ms),
                    Number(v.MeanBatchSize),
                    TableCells.Dash(v.Task),
                    v.LabelledRows.ToString("N0", CultureInfo.InvariantCulture),
                    TableCells.Text(LiveMetrics(v)),
                    TableCells.Text(DriftSummary(v)));
            }

            Out.Write(table);
            foreach (var v in stats.Versions)
            {
                if (!string.IsNullOrEmpty(v.Unavailable))
                {
                    Out.MarkupLine($"  [red]unavailable[/] {Markup.Escape($"{v.Version}: {v.Unavailable}")}");
                }

                foreach (var shadow in v.Shadows)
                {
                    Out.MarkupLine(Markup.Escape(
                        $"  {v.Version} vs shadow {shadow.ShadowVersion}: {shadow.Compared:N0} rows compared, agreement {Percent(shadow.Agreement)}, mean |Δ| {Number(shadow.MeanAbsDelta, "0.0000")}, dropped {shadow.Dropped:N0}"));
                }

                foreach (var alert in v.ActiveAlerts)
                {
                    Out.MarkupLine($"  [red]alert[/] {Markup.Escape($"(version {v.Version}) {alert.Kind} {alert.Subject}: {alert.Detail}")}");
                }

                foreach (var limitation in v.Limitations)
                {
                    Out.MarkupLine($"  [yellow]limit[/] {Markup.Escape($"(version {v.Version}): {limitation}")}");
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// The drift cell of a version: its most drifted feature or prediction in the last judged window. A feature with
    /// too few binned rows in that window (a window closed while the reference profile was still being built) has no
    /// metric: it says so rather than "PSI NaN".
    /// </summary>
    internal static string DriftSummary(VersionStats stats)
    {
        if (stats.LastWindowInsufficient)
        {
            return "insufficient data";
        }

        var judged = stats.Features.Concat(stats.Predictions).ToList();
        if (judged.Count == 0)
        {
            return stats.HasReferenceProfile ? "-" : "no profile";
        }

        var worst = judged.Where(drift => double.IsFinite(drift.Psi)).OrderByDescending(drift => drift.Psi).FirstOrDefault();
        return worst is null
            ? "insufficient data"
            : string.Create(CultureInfo.InvariantCulture, $"{worst.Name} PSI {worst.Psi:0.000} ({(worst.Severity == "None" ? "no drift" : worst.Severity)})");
    }

    private Command Gates()
    {
        var command = new Command("gates", "Evaluate a model's promotion gates now: each shadow and canary against production, production against the version it replaced.") { _name, output.Option };
        SetAction(command, async (client, result, ct) =>
        {
            var gates = await client.GetGatesAsync(new GetGatesRequest { ModelName = result.GetRequiredValue(_name) }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(gates);
                return 0;
            }

            var policy = gates.Policy;
            Out.MarkupLine(Markup.Escape(
                $"policy: ≥{policy.MinimumRows:N0} rows over ≥{policy.MinimumDuration.ToTimeSpan()}, auto-promote {(policy.AutoPromote ? "on" : "off")}, auto-rollback {(policy.AutoRollback ? "on" : "off")}"));
            if (gates.Verdicts.Count == 0)
            {
                Out.MarkupLine("[grey]No shadow, canary or recently promoted version to judge.[/]");
                return 0;
            }

            foreach (var verdict in gates.Verdicts)
            {
                var outcome = !verdict.Decided ? "[yellow]undecided[/]" : verdict.Passed ? "[green]passed[/]" : "[red]failed[/]";
                Out.MarkupLine($"{Markup.Escape($"{verdict.Version} ({verdict.Role}) vs {verdict.BaselineVersion}")}: {outcome}");
                var table = new Table().AddColumns("Check", "Result", "Detail");
                foreach (var check in verdict.Checks)
                {
                    table.AddRow(TableCells.Text(check.Name), check.Skipped ? "skipped" : check.Passed ? "pass" : "FAIL", TableCells.Text(check.Detail));
                }

                Out.Write(table);
            }

            return 0;
        });
        return command;
    }

    private Command PromotionPolicy()
    {
        var autoPromote = new Option<bool?>("--auto-promote") { Description = "Promote a shadow or canary that passes every gate (true or false)." };
        var autoRollback = new Option<bool?>("--auto-rollback") { Description = "Roll back a production version that does worse than the one it replaced (true or false)." };
        var minimumRows = new Option<long?>("--minimum-rows") { Description = "Rows a candidate must have served before it is judged." };
        var minimumDuration = new Option<TimeSpan?>("--minimum-duration") { Description = "Time a candidate must have served before it is judged." };
        var minimumLabelled = new Option<long?>("--minimum-labelled-rows") { Description = "Labelled rows the accuracy gate needs." };
        var agreement = new Option<double?>("--minimum-shadow-agreement") { Description = "Least share of rows on which the shadow agrees with production (0 to 1); negative to drop the gate." };
        var scoreDelta = new Option<double?>("--maximum-mean-score-delta") { Description = "Largest mean |Δscore| against production; negative to drop the gate." };
        var p99Ratio = new Option<double?>("--maximum-p99-ratio") { Description = "Largest p99 latency ÷ production's; negative to drop the gate." };
        var errorRate = new Option<double?>("--maximum-error-rate") { Description = "Largest error rate (0 to 1); negative to drop the gate." };
        var accuracyDrop = new Option<double?>("--maximum-accuracy-drop") { Description = "Largest accuracy below production's on the same requests (0 to 1); negative to drop the gate." };
        var span = new Option<TimeSpan?>("--evaluation-span") { Description = "How far back the gates look." };
        var command = new Command("promotion-policy", "Change the policy a model's promotion gates follow: only the options given change; the control plane checks the result.")
        {
            _name, autoPromote, autoRollback, minimumRows, minimumDuration, minimumLabelled, agreement, scoreDelta, p99Ratio, errorRate, accuracyDrop, span, output.Option,
        };
        SetAction(command, async (client, result, ct) =>
        {
            var name = result.GetRequiredValue(_name);
            var policy = (await client.GetGatesAsync(new GetGatesRequest { ModelName = name }, cancellationToken: ct)).Policy ?? new PromotionPolicy();
            policy.AutoPromote = result.GetValue(autoPromote) ?? policy.AutoPromote;
            policy.AutoRollback = result.GetValue(autoRollback) ?? policy.AutoRollback;
            policy.MinimumRows = result.GetValue(minimumRows) ?? policy.MinimumRows;
            policy.MinimumLabelledRows = result.GetValue(minimumLabelled) ?? policy.MinimumLabelledRows;
            if (result.GetValue(minimumDuration) is { } duration)
            {
                policy.MinimumDuration = Duration.FromTimeSpan(duration);
            }

            if (result.GetValue(span) is { } evaluation)
            {
                policy.EvaluationSpan = Duration.FromTimeSpan(evaluation);
            }

            // An optional gate: a value sets it, a negative value drops it, no option leaves it as it is.
            static void Gate(double? given, Action<double> set, Action clear)
            {
                if (given is { } value)
                {
                    if (value < 0)
                    {
                        clear();
                    }
                    else
                    {
                        set(value);
                    }
                }
            }

            Gate(result.GetValue(agreement), value => policy.MinimumShadowAgreement = value, policy.ClearMinimumShadowAgreement);
            Gate(result.GetValue(scoreDelta), value => policy.MaximumMeanScoreDelta = value, policy.ClearMaximumMeanScoreDelta);
            Gate(result.GetValue(p99Ratio), value => policy.MaximumP99Ratio = value, policy.ClearMaximumP99Ratio);
            Gate(result.GetValue(errorRate), value => policy.MaximumErrorRate = value, policy.ClearMaximumErrorRate);
            Gate(result.GetValue(accuracyDrop), value => policy.MaximumAccuracyDrop = value, policy.ClearMaximumAccuracyDrop);
            var applied = await client.SetPromotionPolicyAsync(new SetPromotionPolicyRequest { ModelName = name, Policy = policy }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(applied);
                return 0;
            }

            Out.MarkupLine(Markup.Escape(
                $"{name}: ≥{applied.MinimumRows:N0} rows over ≥{applied.MinimumDuration?.ToTimeSpan()}, ≥{applied.MinimumLabelledRows:N0} labelled rows, " +
                $"agreement {Limit(applied.HasMinimumShadowAgreement, applied.MinimumShadowAgreement, "≥")}, mean |Δ| {Limit(applied.HasMaximumMeanScoreDelta, applied.MaximumMeanScoreDelta, "≤")}, " +
                $"p99 ratio {Limit(applied.HasMaximumP99Ratio, applied.MaximumP99Ratio, "≤")}, error rate {Limit(applied.HasMaximumErrorRate, applied.MaximumErrorRate, "≤")}, " +
                $"accuracy drop {Limit(applied.HasMaximumAccuracyDrop, applied.MaximumAccuracyDrop, "≤")}, over {applied.EvaluationSpan?.ToTimeSpan()}; " +
                $"auto-promote {(applied.AutoPromote ? "on" : "off")}, auto-rollback {(applied.AutoRollback ? "on" : "off")}"));
            return 0;
        });
        return command;
    }

    private static string Listed(Google.Protobuf.Collections.RepeatedField<string> requestIds) => requestIds.Count == 0 ? "none" : string.Join(", ", requestIds);

    private static string Limit(bool set, double value, string comparison) => set ? comparison + value.ToString("0.####", CultureInfo.InvariantCulture) : "no gate";

    private Command Feedback()
    {
        var labels = new Option<string>("--labels")
        {
            Description = "Ground truth as REQUEST_ID=LABEL pairs separated by commas, read as the model's contract says: 1 or 0 for a binary classifier, " +
                "a class name or index, or the true value of a regression, e.g. 'r1=1,r2=0' or 'r1=rain,r2=dry'.",
            Required = true,
        };
        var command = new Command("feedback", "Send ground truth for earlier inference requests (by the id they carried).") { _name, labels, output.Option };
        SetAction(command, async (client, result, ct) =>
        {
            var items = FeedbackLabels.Parse(result.GetRequiredValue(labels));
            var response = new FeedbackResponse();
            // The server takes at most FeedbackRequest.MaxItems items per call: more go in consecutive calls, answered as one.
            foreach (var batch in items.Chunk(FeedbackRequest.MaxItems))
            {
                var answer = await client.SendFeedbackAsync(new FeedbackRequest { ModelName = result.GetRequiredValue(_name), Items = { batch } }, cancellationToken: ct);
                response.Joined += answer.Joined;
                response.UnknownRequestIds.AddRange(answer.UnknownRequestIds);
                response.AlreadyLabelledRequestIds.AddRange(answer.AlreadyLabelledRequestIds);
                response.Rejected.AddRange(answer.Rejected);
                foreach (var (version, joined) in answer.JoinedByVersion)
                {
                    response.JoinedByVersion[version] = response.JoinedByVersion.GetValueOrDefault(version) + joined;
                }

                if (answer.Unusable.Length > 0)
                {
                    response.Unusable = answer.Unusable;
                    break;
                }
            }

            if (output.IsJson(result))
            {
                console.WriteJson(response);
            }
            else
            {
                Out.MarkupLine(Markup.Escape($"joined {response.Joined} of {items.Count}; unknown ids: {Listed(response.UnknownRequestIds)}; already labelled: {Listed(response.AlreadyLabelledRequestIds)}"));
                foreach (var rejected in response.Rejected)
                {
                    Out.MarkupLine($"[red]rejected[/] {Markup.Escape(rejected)}");
                }
            }

            if (response.Unusable.Length > 0)
            {
                throw new CliException(response.Unusable);
            }

            // A script must see that some labels were not taken without reading the output.
            if (response.Rejected.Count > 0)
            {
                throw new CliException($"{response.Rejected.Count} of {items.Count} labels were rejected");
            }

            return 0;
        });
        return command;
    }

    private void SetAction(Command command, Func<ModelMonitoring.ModelMonitoringClient, ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((result, ct) => MlopsCommandLine.GuardAsync(console, () => connections.ManagementAddress(result.GetValue(server)), $"--server or {ServerConnections.ServerVariable}", async () =>
        {
            var (channel, client) = connections.Monitoring(result.GetValue(server));
            using (channel)
            {
                return await action(client, result, ct);
            }
        }));

    /// <summary>
    /// The live metrics of the version's task: what feedback measured, then what its first labelled rows measured (the
    /// reference accuracy alerts compare with), or "-" before any labels (or without a task).
    /// </summary>
    private static string LiveMetrics(VersionStats v)
    {
        if (v.LabelledRows == 0 || TaskMetrics(v.Task, v.Accuracy, v.Auc, v.MacroF1, v.Mae, v.Rmse) is not { } live)
        {
            return "-";
        }

        return v.ReferenceMetrics is { } reference
            ? $"{live} (reference {TaskMetrics(v.Task, reference.Accuracy, reference.Auc, reference.MacroF1, reference.Mae, reference.Rmse)})"
            : live;
    }

    private static string? TaskMetrics(string task, double accuracy, double auc, double macroF1, double mae, double rmse) => task switch
    {
        "binary-classification" => $"accuracy {Percent(accuracy)}, AUC {Number(auc, "0.000")}",
        "multiclass-classification" => $"accuracy {Percent(accuracy)}, macro-F1 {Number(macroF1, "0.000")}",
        "regression" => $"MAE {Number(mae, "0.####")}, RMSE {Number(rmse, "0.####")}",
        _ => null,
    };

    private static string Percent(double share) => double.IsNaN(share) ? "-" : (share * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Number(double value, string format = "0.##") => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}
