using System.Globalization;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>Number formats shared by the console, Markdown and HTML output (invariant culture, so reports diff cleanly).</summary>
public static class Formatting
{
    public static string Ms(double milliseconds) => milliseconds switch
    {
        < 1 => milliseconds.ToString("0.000", CultureInfo.InvariantCulture),
        < 10 => milliseconds.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => milliseconds.ToString("0.0", CultureInfo.InvariantCulture),
        _ => milliseconds.ToString("0", CultureInfo.InvariantCulture),
    };

    /// <summary>Requests per second: whole numbers, with one decimal below 100 (a CNN on a small machine).</summary>
    public static string Rate(double perSecond) =>
        perSecond.ToString(Math.Abs(perSecond) < 100 ? "0.0" : "#,0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";

    public static string Percent(double fraction) => (fraction * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Errors(IReadOnlyDictionary<string, long> errorsByStatus) => errorsByStatus.Count == 0
        ? "none"
        : string.Join(", ", errorsByStatus.Select(pair => $"{pair.Key} {pair.Value.ToString(CultureInfo.InvariantCulture)}"));
}
