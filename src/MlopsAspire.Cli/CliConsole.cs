using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>Where the command line writes and what environment it reads; the process's own, or a test's.</summary>
public sealed class CliConsole(IAnsiConsole output, TextWriter error, Func<string, string?> environment)
{
    public IAnsiConsole Output { get; } = output;

    /// <summary>Errors: one line each, never mixed into the tables on standard output.</summary>
    public TextWriter Error { get; } = error;

    public string? Environment(string name) => environment(name);

    public static CliConsole ForProcess() =>
        new(AnsiConsole.Console, Console.Error, System.Environment.GetEnvironmentVariable);
}
