using System.Globalization;

namespace MlopsAspire.Console.Live;

/// <summary>How a latency reads on a page: a version with no requests in the span has no percentile, shown as a dash rather than "NaN".</summary>
public static class LatencyText
{
    public const string None = VersionComparison.Missing;

    public static string Of(double milliseconds) =>
        double.IsFinite(milliseconds) ? milliseconds.ToString("0.##", CultureInfo.InvariantCulture) : None;
}
