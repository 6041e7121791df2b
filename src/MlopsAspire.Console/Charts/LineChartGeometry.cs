using System.Globalization;

namespace MlopsAspire.Console.Charts;

/// <summary>
/// Where the lines of a chart go: X spans the time axis given (or the points' range), Y runs from 0 to a round ceiling of the largest value
/// (1, 2 or 5 times a power of ten) or a fixed maximum (1 for ratios). Coordinates are rounded to a tenth so the
/// SVG stays small and a test can state them exactly. NaN values leave a point out.
/// </summary>
public static class LineChartGeometry
{
    public const int TickCount = 4;

    /// <param name="axis">The time the X axis spans; without one, the points' range.</param>
    public static LineChartLayout Layout(
        IReadOnlyList<ChartSeries> series,
        ChartFrame frame,
        double? fixedYMax = null,
        IReadOnlyList<ChartMarker>? markers = null,
        TimeAxis? axis = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(frame);
        var points = series.SelectMany(s => s.Points).Where(p => !double.IsNaN(p.Y)).ToList();
        var xMin = axis?.From ?? (points.Count == 0 ? 0 : points.Min(p => p.X));
        var xMax = axis?.Until ?? (points.Count == 0 ? 1 : points.Max(p => p.X));
        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }

        var yMax = fixedYMax ?? RoundCeiling(points.Count == 0 ? 0 : points.Max(p => p.Y));
        double X(double x) => Round(frame.Left + ((x - xMin) / (xMax - xMin) * frame.PlotWidth));
        double Y(double y) => YOf(frame, yMax, y);

        var ticks = YTicks(frame, yMax, value => value.ToString("G3", CultureInfo.InvariantCulture));
        var paths = series
            .Select((s, index) => new SeriesPath(s.Name, index, string.Join(' ', s.Points
                .Where(p => !double.IsNaN(p.Y))
                .Select(p => $"{Text(X(p.X))},{Text(Y(p.Y))}"))))
            .ToList();
        var lines = (markers ?? [])
            .Where(m => m.X >= xMin && m.X <= xMax)
            .Select(m => new MarkerLine(X(m.X), m.Label, m.Kind))
            .ToList();
        return new LineChartLayout(frame, xMin, xMax, yMax, ticks, paths, lines);
    }

    /// <summary>Ticks at 0, ¼, ½, ¾ and all of <paramref name="yMax"/>, labelled by <paramref name="label"/>.</summary>
    public static IReadOnlyList<AxisTick> YTicks(ChartFrame frame, double yMax, Func<double, string> label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return [.. Enumerable.Range(0, TickCount + 1)
            .Select(i => yMax * i / TickCount)
            .Select(value => new AxisTick(value, YOf(frame, yMax, value), label(value)))];
    }

    /// <summary>The smallest of 1, 2 or 5 times a power of ten at or above <paramref name="value"/>; 1 for nothing above zero.</summary>
    public static double RoundCeiling(double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in (double[])[1, 2, 5, 10])
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    /// <summary>The SVG Y of <paramref name="value"/> on a plot from 0 to <paramref name="yMax"/> (values outside sit on its edges).</summary>
    public static double YOf(ChartFrame frame, double yMax, double value)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Round(frame.Top + frame.PlotHeight - (Math.Clamp(value, 0, yMax) / yMax * frame.PlotHeight));
    }

    public static string Text(double coordinate) => coordinate.ToString("0.#", CultureInfo.InvariantCulture);

    private static double Round(double coordinate) => Math.Round(coordinate, 1, MidpointRounding.AwayFromZero);
}
