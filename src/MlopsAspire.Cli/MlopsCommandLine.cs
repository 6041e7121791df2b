using System.CommandLine;
using Grpc.Core;

namespace MlopsAspire.Cli;

/// <summary>
/// The <c>mlops</c> command tree. Each command returns 0 on success; any failure prints one line to standard
/// error and returns 1 (usage errors: System.CommandLine's message and 1). Commands that print what they read or did
/// take <c>--output json</c>: the response as one JSON document on standard output.
/// </summary>
public static class MlopsCommandLine
{
    public static Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var root = Build(console);
        var invocation = new InvocationConfiguration { Output = console.Output.Profile.Out.Writer, Error = console.Error };
        return root.Parse(args).InvokeAsync(invocation, cancellationToken);
    }

    public static RootCommand Build(CliConsole console)
    {
        var connections = new ServerConnections(console);
        var server = new Option<string?>("--server")
        {
            Description = $"Control plane management API address (default: ${ServerConnections.ServerVariable} or {ServerConnections.DefaultServer}).",
            Recursive = true,
        };

        var output = new OutputOption();
        var models = new ModelCommands(console, connections, server, output).Build();
        foreach (var command in new MonitoringCommands(console, connections, server, output).Build().Concat(new RetrainingCommands(console, connections, server, output).Build()))
        {
            models.Subcommands.Add(command);
        }

        var root = new RootCommand("Manage and call models on the MlopsAspire platform. The management API key comes from $MLOPS_API_KEY.")
        {
            server,
            models,
            new InferCommand(console, connections, output).Build(),
            new SecurityCommands(console, connections, server, output).Build(),
            new ScenarioCommands(console, connections, server).Build(),
        };
        return root;
    }

    /// <summary>Runs a command's work, turning every failure into one line on standard error and exit code 1.</summary>
    internal static async Task<int> GuardAsync(CliConsole console, Func<string> address, string addressHint, Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            await console.Error.WriteLineAsync($"error: {ServerConnections.Describe(ex, SafeAddress(address), addressHint)}");
        }
        catch (CliException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}");
        }
        catch (IOException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}");
        }

        return 1;
    }

    private static string SafeAddress(Func<string> address)
    {
        try
        {
            return address();
        }
        catch (CliException)
        {
            return "the server";
        }
    }
}
