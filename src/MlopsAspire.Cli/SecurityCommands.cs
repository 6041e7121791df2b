using System.CommandLine;
using System.Globalization;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary><c>mlops security audit</c>: the management calls the platform refused (admin key).</summary>
internal sealed class SecurityCommands(CliConsole console, ServerConnections connections, Option<string?> server, OutputOption output)
{
    /// <summary>The most events the control plane keeps, so the most a caller can ask for.</summary>
    private const int MaxEvents = 1_000;

    public Command Build() => new("security", "What the platform's security trail recorded.") { Audit() };

    private Command Audit()
    {
        var limit = new Option<int>("--limit") { Description = $"Newest events to show (1-{MaxEvents}).", DefaultValueFactory = _ => 100 };
        var command = new Command("audit", "Show refused management calls (unknown keys, missing roles): when, who, what and why. Needs an admin key.") { limit, output.Option };
        ModelCommands.SetManagementAction(console, connections, server, command, async (client, result, ct) =>
        {
            var count = result.GetValue(limit);
            if (count is < 1 or > MaxEvents)
            {
                throw new CliException($"--limit must be between 1 and {MaxEvents}; got {count}.");
            }

            var log = await client.GetSecurityAuditLogAsync(new GetSecurityAuditLogRequest { Limit = count }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(log);
                return 0;
            }

            if (log.Events.Count == 0)
            {
                console.Output.MarkupLine("[grey]No refused calls recorded.[/]");
                return 0;
            }

            var table = new Table().AddColumns("At (UTC)", "Caller", "Operation", "Outcome", "Model", "Detail");
            foreach (var entry in log.Events)
            {
                table.AddRow(
                    entry.At?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                    TableCells.Dash(entry.Caller),
                    TableCells.Text(entry.Operation),
                    TableCells.Text(entry.Outcome),
                    TableCells.Dash(entry.ModelName),
                    TableCells.Text(entry.Detail));
            }

            console.Output.Write(table);
            return 0;
        });
        return command;
    }
}
