using Spectre.Console;

namespace MlopsAspire.Cli.Tests;

/// <summary>One run of the CLI's entry point: its exit code and what it wrote to standard output and standard error.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 240;

        var exitCode = await MlopsCommandLine.RunAsync(
            args,
            new CliConsole(console, error, name => environment.TryGetValue(name, out var value) ? value : null),
            CancellationToken.None);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
