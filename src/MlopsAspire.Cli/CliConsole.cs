using Google.Protobuf;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>Where the command line writes and what environment it reads; the process's own, or a test's.</summary>
public sealed class CliConsole
{
    /// <summary>
    /// The width tables and lines are laid out to when standard output is not a terminal: wide enough that no row
    /// wraps, so a script that reads a line gets the whole row. (Spectre would otherwise lay out to 80 columns.)
    /// </summary>
    public const int UnwrappedWidth = 1 << 20;

    // Proto field names as the .proto files spell them, and every field present even when it holds its default, so a
    // script can rely on the names and on finding them.
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default
        .WithPreserveProtoFieldNames(true)
        .WithFormatDefaultValues(true)
        .WithIndentation("  "));

    private readonly Func<string, string?> _environment;

    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="outputIsTerminal">False when standard output is redirected or piped: rows are then never wrapped.</param>
    public CliConsole(IAnsiConsole output, TextWriter error, Func<string, string?> environment, bool outputIsTerminal = true)
    {
        Output = output;
        Error = error;
        _environment = environment;
        if (!outputIsTerminal)
        {
            output.Profile.Width = UnwrappedWidth;
        }
    }

    public IAnsiConsole Output { get; }

    /// <summary>Errors: one line each, never mixed into the tables or JSON on standard output.</summary>
    public TextWriter Error { get; }

    public string? Environment(string name) => _environment(name);

    /// <summary>Writes <paramref name="message"/> as one JSON document on standard output, and nothing else.</summary>
    public void WriteJson(IMessage message)
    {
        var writer = Output.Profile.Out.Writer;
        writer.WriteLine(Json.Format(message));
        writer.Flush();
    }

    public static CliConsole ForProcess() =>
        new(AnsiConsole.Console, Console.Error, System.Environment.GetEnvironmentVariable, outputIsTerminal: !Console.IsOutputRedirected);
}
