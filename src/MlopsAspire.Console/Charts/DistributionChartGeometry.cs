using System.Globalization;

namespace MlopsAspire.Console.Charts;

/// <summary>
/// Lays out a prediction distribution against its reference: one equal-width slot per reference bin (the bins sit at
/// the reference's quantiles, so the reference is about level and a shift shows as bars leaving it), each bin's share of
/// the recent predictions as a bar and the reference's share as a step line, Y from 0 to a round ceiling of the largest
/// share. Shares, not counts, so a minute of traffic compares with a reference of any size. Coordinates are rounded
/// to a tenth, as in <see cref="LineChartGeometry"/>.
/// </summary>
public static class DistributionChartGeometry
{
    /// <summary>
    /// The layout of <paramref name="counts"/> against <paramref name="referenceCounts"/> on bins cut at
    /// <paramref name="edges"/> (each count list one longer than the edges); nothing to draw when they do not fit.
    /// </summary>
    public static DistributionChartLayout Layout(
        IReadOnlyList<double> edges, IReadOnlyList<long> counts, IReadOnlyList<long> referenceCounts, ChartFrame frame)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(referenceCounts);
        ArgumentNullException.ThrowIfNull(frame);
        long rows = counts.Sum(), referenceRows = referenceCounts.Sum();
        if (counts.Count != edges.Count + 1 || referenceCounts.Count != counts.Count)
        {
            return new DistributionChartLayout(frame, 1, Ticks(frame, 1), [], "", [], rows, referenceRows);
        }

        var shares = Shares(counts, rows);
        var referenceShares = Shares(referenceCounts, referenceRows);
        var yMax = Math.Min(1, LineChartGeometry.RoundCeiling(shares.Concat(referenceShares).DefaultIfEmpty(0).Max()));
        var width = frame.PlotWidth / counts.Count;
        double Left(int bin) => Round(frame.Left + (bin * width));
        double Y(double share) => LineChartGeometry.YOf(frame, yMax, share);

        // A gap of a tenth of a slot on each side keeps neighbouring bars apart.
        var bars = rows == 0
            ? []
            : shares.Select((share, bin) => new DistributionBar(
                Round(frame.Left + ((bin + 0.1) * width)),
                Y(share),
                Round(width * 0.8),
                Round(frame.Top + frame.PlotHeight - Y(share)),
                $"{Bin(edges, bin)}: {Percent(share)} of the recent predictions, {Percent(referenceShares[bin])} of the reference"))
            .ToList();
        var reference = referenceRows == 0
            ? ""
            : string.Join(' ', referenceShares.SelectMany((share, bin) => new[]
            {
                $"{LineChartGeometry.Text(Left(bin))},{LineChartGeometry.Text(Y(share))}",
                $"{LineChartGeometry.Text(Left(bin + 1))},{LineChartGeometry.Text(Y(share))}",
            }));
        var edgeLabels = edges
            .Select((edge, i) => new AxisTick(edge, Left(i + 1), edge.ToString("G3", CultureInfo.InvariantCulture)))
            .ToList();
        return new DistributionChartLayout(frame, yMax, Ticks(frame, yMax), bars, reference, edgeLabels, rows, referenceRows);
    }

    /// <summary>A bin as a reader names it: below the first edge, between two, or at or above the last.</summary>
    public static string Bin(IReadOnlyList<double> edges, int bin)
    {
        ArgumentNullException.ThrowIfNull(edges);
        string Edge(int i) => edges[i].ToString("G4", CultureInfo.InvariantCulture);
        return bin == 0 ? $"below {Edge(0)}"
            : bin == edges.Count ? $"{Edge(bin - 1)} and above"
            : $"{Edge(bin - 1)} to {Edge(bin)}";
    }

    private static double[] Shares(IReadOnlyList<long> counts, long total) =>
        [.. counts.Select(count => total == 0 ? 0 : (double)count / total)];

    private static IReadOnlyList<AxisTick> Ticks(ChartFrame frame, double yMax) => LineChartGeometry.YTicks(frame, yMax, Percent);

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static double Round(double coordinate) => Math.Round(coordinate, 1, MidpointRounding.AwayFromZero);
}
