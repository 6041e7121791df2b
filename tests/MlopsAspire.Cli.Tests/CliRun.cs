using Spectre.Console;

namespace MlopsAspire.Cli.Tests;

/// <summary>One run of the CLI's entry point: its exit code and what it wrote to standard output and standard error.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>The width Spectre lays output out to when it cannot ask a terminal.</summary>
    public const int DefaultWidth = 80;

    /// <summary>Runs the CLI with its standard output piped, as a script runs it.</summary>
    public static Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunAsync(environment, outputIsTerminal: false, args);

    /// <summary>Runs the CLI with its standard output on an 80-column terminal, or piped.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, bool outputIsTerminal, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = PlainConsole(output);
        var exitCode = await MlopsCommandLine.RunAsync(
            args,
            new CliConsole(console, error, name => environment.TryGetValue(name, out var value) ? value : null, outputIsTerminal),
            CancellationToken.None);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A console writing plain text (no colours, no ANSI codes, not interactive) to <paramref name="output"/>, 80 columns wide.</summary>
    public static IAnsiConsole PlainConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = DefaultWidth;
        return console;
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
