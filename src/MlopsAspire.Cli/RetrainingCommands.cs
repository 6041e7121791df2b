using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>
/// <c>mlops models retrain NAME</c>, <c>mlops models retraining NAME</c> and <c>mlops models retraining-policy NAME</c>:
/// request a run, show runs and policy, change the policy.
/// </summary>
internal sealed class RetrainingCommands(CliConsole console, ServerConnections connections, Option<string?> server, OutputOption output)
{
    private readonly Argument<string> _name = new("NAME") { Description = "Model name." };
    private readonly Option<string> _reason = new("--reason") { Description = "Why; recorded in the audit trail.", DefaultValueFactory = _ => "" };
    private readonly Option<int> _count = new("--count") { Description = "Most recent runs to show (1-200).", DefaultValueFactory = _ => 10 };

    private IAnsiConsole Out => console.Output;

    public IEnumerable<Command> Build() => [Retrain(), Retraining(), RetrainingPolicy()];

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

            WritePolicy(status.ModelName, status.Policy);
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

    private Command RetrainingPolicy()
    {
        var enabled = new Option<bool?>("--enabled") { Description = "Whether runs are queued at all (true or false)." };
        var onAccuracy = new Option<bool?>("--on-accuracy-alert") { Description = "Queue a run when production's live accuracy drops (true or false)." };
        var onDrift = new Option<bool?>("--on-drift-alert") { Description = "Queue a run when production's inputs or predictions drift (true or false)." };
        var schedule = new Option<TimeSpan?>("--schedule") { Description = "Queue a run this often; 0 for no schedule." };
        var cooldown = new Option<TimeSpan?>("--cooldown") { Description = "Least time between two runs that started." };
        var dataWindow = new Option<TimeSpan?>("--data-window") { Description = "Labelled rows older than this are not trained on." };
        var minimumRows = new Option<int?>("--minimum-rows") { Description = "Labelled rows a run needs before it trains." };
        var labelWait = new Option<TimeSpan?>("--label-wait") { Description = "How long a run waits for enough labelled rows." };
        var shadowSample = new Option<double?>("--shadow-sample") { Description = "Share of production traffic the candidate shadows (0 to 1)." };
        var command = new Command("retraining-policy", "Change a model's retraining policy: only the options given change; the control plane checks the result.")
        {
            _name, enabled, onAccuracy, onDrift, schedule, cooldown, dataWindow, minimumRows, labelWait, shadowSample, output.Option,
        };
        SetAction(command, async (client, result, ct) =>
        {
            var name = result.GetRequiredValue(_name);
            var policy = (await client.GetRetrainingAsync(new GetRetrainingRequest { Name = name, Count = 1 }, cancellationToken: ct)).Policy ?? new RetrainingPolicy();
            policy.Enabled = result.GetValue(enabled) ?? policy.Enabled;
            policy.OnAccuracyAlert = result.GetValue(onAccuracy) ?? policy.OnAccuracyAlert;
            policy.OnDriftAlert = result.GetValue(onDrift) ?? policy.OnDriftAlert;
            if (result.GetValue(schedule) is { } every)
            {
                policy.Schedule = every == TimeSpan.Zero ? null : Duration.FromTimeSpan(every);
            }

            policy.Cooldown = Change(result.GetValue(cooldown), policy.Cooldown);
            policy.DataWindow = Change(result.GetValue(dataWindow), policy.DataWindow);
            policy.MinimumRows = result.GetValue(minimumRows) ?? policy.MinimumRows;
            policy.LabelWait = Change(result.GetValue(labelWait), policy.LabelWait);
            policy.ShadowSampleRate = result.GetValue(shadowSample) ?? policy.ShadowSampleRate;
            var applied = await client.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest { Name = name, Policy = policy }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(applied);
                return 0;
            }

            WritePolicy(name, applied);
            return 0;
        });
        return command;
    }

    private static Duration? Change(TimeSpan? given, Duration? current) => given is { } value ? Duration.FromTimeSpan(value) : current;

    private void WritePolicy(string model, RetrainingPolicy policy) =>
        Out.MarkupLine($"[bold]{Markup.Escape(model)}[/] retraining {(policy.Enabled ? "[green]enabled[/]" : "[grey]disabled[/]")}: " +
            $"on accuracy alerts {YesNo(policy.OnAccuracyAlert)}, on drift alerts {YesNo(policy.OnDriftAlert)}, schedule {(policy.Schedule is null ? "none" : policy.Schedule.ToTimeSpan().ToString())}, " +
            $"cool-down {policy.Cooldown?.ToTimeSpan()}, data window {policy.DataWindow?.ToTimeSpan()}, at least {policy.MinimumRows} rows (waiting up to {policy.LabelWait?.ToTimeSpan()} for them), candidate shadows {policy.ShadowSampleRate:P0} of traffic");

    private static string YesNo(bool value) => value ? "yes" : "no";

    private void SetAction(Command command, Func<ModelManagement.ModelManagementClient, ParseResult, CancellationToken, Task<int>> action) =>
        ModelCommands.SetManagementAction(console, connections, server, command, action);
}
