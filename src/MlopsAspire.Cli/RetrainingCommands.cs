using System.CommandLine;
using System.Globalization;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary><c>mlops models retrain NAME</c> and <c>mlops models retraining NAME</c>: request a run, show runs and policy.</summary>
internal sealed class RetrainingCommands(CliConsole console, ServerConnections connections, Option<string?> server, OutputOption output)
{
    private readonly Argument<string> _name = new("NAME") { Description = "Model name." };
    private readonly Option<string> _reason = new("--reason") { Description = "Why; recorded in the audit trail.", DefaultValueFactory = _ => "" };
    private readonly Option<int> _count = new("--count") { Description = "Most recent runs to show (1-200).", DefaultValueFactory = _ => 10 };

    private IAnsiConsole Out => console.Output;

    public IEnumerable<Command> Build() => [Retrain(), Retraining()];

    private Command Retrain()
    {
        var command = new Command("retrain", "Queue a retraining run: the worker trains on labelled production rows, registers the candidate with lineage and shadows it; the promotion gates decide.")
        {
            _name, _reason, output.Option,
        };
        SetAction(command, async (client, result, ct) =>
        {
            var run = await client.RequestRetrainingAsync(new RequestRetrainingRequest { Name = result.GetRequiredValue(_name), Reason = result.GetValue(_reason) ?? "" }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(run);
                return 0;
            }

            Out.MarkupLine($"Run [bold]{Markup.Escape(run.RunId)}[/] of [bold]{Markup.Escape(run.ModelName)}[/] is {Markup.Escape(run.Status)} (parent version {Markup.Escape(run.ParentVersion)}). Follow it with `mlops models retraining {Markup.Escape(run.ModelName)}`.");
            return 0;
        });
        return command;
    }

    private Command Retraining()
    {
        var command = new Command("retraining", "Show a model's retraining policy and recent runs: trigger, status, candidate, reason and steps.") { _name, _count, output.Option };
        SetAction(command, async (client, result, ct) =>
        {
            var count = result.GetValue(_count);
            if (count is < 1 or > 200)
            {
                throw new CliException($"--count must be between 1 and 200; got {count}.");
            }

            var status = await client.GetRetrainingAsync(new GetRetrainingRequest { Name = result.GetRequiredValue(_name), Count = count }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(status);
                return 0;
            }

            var policy = status.Policy;
            Out.MarkupLine($"[bold]{Markup.Escape(status.ModelName)}[/] retraining {(policy.Enabled ? "[green]enabled[/]" : "[grey]disabled[/]")}: " +
                $"on accuracy alerts {YesNo(policy.OnAccuracyAlert)}, on drift alerts {YesNo(policy.OnDriftAlert)}, schedule {(policy.Schedule is null ? "none" : policy.Schedule.ToTimeSpan().ToString())}, " +
                $"cool-down {policy.Cooldown?.ToTimeSpan()}, data window {policy.DataWindow?.ToTimeSpan()}, at least {policy.MinimumRows} rows, candidate shadows {policy.ShadowSampleRate:P0} of traffic");
            if (status.Runs.Count == 0)
            {
                Out.MarkupLine("[grey]No retraining runs yet.[/]");
                return 0;
            }

            var table = new Table().AddColumns("Run", "Requested (UTC)", "Trigger", "Status", "Parent → candidate", "Reason");
            foreach (var run in status.Runs)
            {
                table.AddRow(
                    TableCells.Text(run.RunId),
                    run.RequestedAt.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    TableCells.Text($"{run.Trigger} by {run.RequestedBy}: {run.TriggerDetail}"),
                    TableCells.Text(run.Status),
                    TableCells.Text($"{run.ParentVersion} → {(run.CandidateVersion.Length > 0 ? run.CandidateVersion : "-")}"),
                    TableCells.Text(run.Reason));
            }

            Out.Write(table);
            foreach (var step in status.Runs[^1].Steps)
            {
                Out.MarkupLine($"  [grey]{Markup.Escape(step)}[/]");
            }

            return 0;
        });
        return command;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private void SetAction(Command command, Func<ModelManagement.ModelManagementClient, ParseResult, CancellationToken, Task<int>> action) =>
        ModelCommands.SetManagementAction(console, connections, server, command, action);
}
