using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary><c>mlops models stats|gates|feedback</c>: what monitoring knows of a model and what its gates say.</summary>
internal sealed class MonitoringCommands(CliConsole console, ServerConnections connections, Option<string?> server)
{
    private readonly Argument<string> _name = new("NAME") { Description = "Model name." };

    private IAnsiConsole Out => console.Output;

    public IEnumerable<Command> Build() => [Stats(), Gates(), Feedback()];

    private Command Stats()
    {
        var version = new Argument<string?>("VERSION") { Description = "One version (default: production, canary and shadows).", Arity = ArgumentArity.ZeroOrOne };
        var span = new Option<TimeSpan>("--span") { Description = "How far back to look (default 01:00:00).", DefaultValueFactory = _ => TimeSpan.FromHours(1) };
        var command = new Command("stats", "Show a model's live statistics: traffic, latency, errors, accuracy, drift and shadow agreement.") { _name, version, span };
        SetAction(command, async (client, result, ct) =>
        {
            var stats = await client.GetStatsAsync(
                new GetStatsRequest { ModelName = result.GetRequiredValue(_name), Version = result.GetValue(version) ?? "", Span = Duration.FromTimeSpan(result.GetValue(span)) },
                cancellationToken: ct);
            if (stats.Versions.Count == 0)
            {
                Out.MarkupLine("[grey]No version is serving.[/]");
                return 0;
            }

            var table = new Table().AddColumns("Version", "Role", "Requests", "Rows", "Errors", "p50 ms", "p99 ms", "Batch", "Labelled", "Accuracy", "AUC", "Drift");
            foreach (var v in stats.Versions.Where(v => !string.IsNullOrEmpty(v.Unavailable)))
            {
                table.AddRow(Markup.Escape(v.Version), Markup.Escape(v.Role), "-", "-", "-", "-", "-", "-", "-", "-", "-", "[red]unavailable[/]");
            }

            foreach (var v in stats.Versions.Where(v => string.IsNullOrEmpty(v.Unavailable)))
            {
                var worst = v.Features.Concat(v.Predictions).OrderByDescending(f => f.Psi).FirstOrDefault();
                table.AddRow(
                    Markup.Escape(v.Version),
                    Markup.Escape(v.Role),
                    v.Requests.ToString("N0", CultureInfo.InvariantCulture),
                    v.Rows.ToString("N0", CultureInfo.InvariantCulture),
                    Percent(v.ErrorRate),
                    Number(v.P50Ms),
                    Number(v.P99Ms),
                    Number(v.MeanBatchSize),
                    v.LabelledRows.ToString("N0", CultureInfo.InvariantCulture),
                    Percent(v.Accuracy),
                    Number(v.Auc, "0.000"),
                    worst is null ? (v.HasReferenceProfile ? "-" : "no profile") : Markup.Escape($"{worst.Name} PSI {worst.Psi:0.000} ({worst.Severity})"));
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
                    Out.MarkupLine($"  [red]alert[/] {Markup.Escape($"{v.Version} {alert.Kind} {alert.Subject}: {alert.Detail}")}");
                }
            }

            return 0;
        });
        return command;
    }

    private Command Gates()
    {
        var command = new Command("gates", "Evaluate a model's promotion gates now: each shadow and canary against production, production against the version it replaced.") { _name };
        SetAction(command, async (client, result, ct) =>
        {
            var gates = await client.GetGatesAsync(new GetGatesRequest { ModelName = result.GetRequiredValue(_name) }, cancellationToken: ct);
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
                    table.AddRow(Markup.Escape(check.Name), check.Skipped ? "skipped" : check.Passed ? "pass" : "FAIL", Markup.Escape(check.Detail));
                }

                Out.Write(table);
            }

            return 0;
        });
        return command;
    }

    private Command Feedback()
    {
        var labels = new Option<string>("--labels")
        {
            Description = "Ground truth as REQUEST_ID=LABEL pairs separated by commas, read as the model's config says: 1 or 0, a class index, a value, or a class name (e.g. 'r1=1,r2=0' or 'r1=rain').",
            Required = true,
        };
        var command = new Command("feedback", "Send ground truth for earlier inference requests (by the id they carried).") { _name, labels };
        SetAction(command, async (client, result, ct) =>
        {
            var request = new FeedbackRequest { ModelName = result.GetRequiredValue(_name) };
            foreach (var pair in result.GetRequiredValue(labels).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    throw new CliException($"'{pair}' is not REQUEST_ID=LABEL (e.g. r1=1).");
                }

                // A number is a label value; anything else is a class name.
                request.Items.Add(float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var label)
                    ? new FeedbackItem { RequestId = parts[0], Labels = { label } }
                    : new FeedbackItem { RequestId = parts[0], ClassLabels = { parts[1] } });
            }

            var response = await client.SendFeedbackAsync(request, cancellationToken: ct);
            if (!string.IsNullOrEmpty(response.Unusable))
            {
                throw new CliException(response.Unusable);
            }

            Out.MarkupLine(Markup.Escape($"joined {response.Joined} of {request.Items.Count}; unknown ids: {(response.UnknownRequestIds.Count == 0 ? "none" : string.Join(", ", response.UnknownRequestIds))}"));
            foreach (var rejected in response.Rejected)
            {
                Out.MarkupLine($"[red]rejected[/] {Markup.Escape(rejected)}");
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

    private static string Percent(double share) => double.IsNaN(share) ? "-" : (share * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Number(double value, string format = "0.##") => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}
