using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>Free text as a table cell: markup escaped and on one line, so a script reading a row finds all of it on its line.</summary>
internal static class TableCells
{
    public static string Text(string value) => Markup.Escape(value.ReplaceLineEndings(" "));

    /// <summary>The text, or "-" when there is none.</summary>
    public static string Dash(string value) => string.IsNullOrEmpty(value) ? "-" : Text(value);
}
