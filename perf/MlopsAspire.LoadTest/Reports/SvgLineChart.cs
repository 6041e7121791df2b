using System.Globalization;
using System.Net;
using System.Text;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>
/// Draws line charts as inline SVG, so the HTML report opens offline with no scripts or fonts to fetch.
/// Output is well-formed XML.
/// </summary>
public static class SvgLineChart
{
    private const int Width = 820;
    private const int Height = 340;
    private const int Left = 64;
    private const int Right = 40;
    private const int LegendRowHeight = 14;
    private const int Bottom = 48;

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, IReadOnlyList<AxisTick>? xTicks = null)
    {
        var points = series.SelectMany(line => line.Points).Where(point => double.IsFinite(point.X) && double.IsFinite(point.Y)).ToList();
        var xMin = points.Count == 0 ? 0 : Math.Min(0, points.Min(point => point.X));
        var xMax = points.Count == 0 ? 1 : points.Max(point => point.X);
        if (xTicks is { Count: > 0 })
        {
            xMax = Math.Max(xMax, xTicks.Max(tick => tick.Value));
        }

        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }

        var yMax = NiceCeiling(points.Count == 0 ? 1 : points.Max(point => point.Y) * 1.05);
        var legend = LayOutLegend(series);
        var legendRows = legend.Count == 0 ? 1 : legend.Max(item => item.Row) + 1;
        var top = 24 + (legendRows * LegendRowHeight) + 14;
        var height = Height + ((legendRows - 1) * LegendRowHeight);
        var plotWidth = Width - Left - Right;
        var plotHeight = height - top - Bottom;
        double X(double x) => Left + ((x - xMin) / (xMax - xMin) * plotWidth);
        double Y(double y) => top + plotHeight - (y / yMax * plotHeight);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" class=\"chart-title\">{Escape(title)}</text>");

        // Grid and y ticks.
        for (var i = 0; i <= 5; i++)
        {
            var value = yMax * i / 5;
            var y = Y(value);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Width - Right}\" y2=\"{F(y)}\" class=\"grid\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" class=\"tick\" text-anchor=\"end\">{Escape(Formatting.Number(value, "0.###"))}</text>");
        }

        var ticks = xTicks ?? LinearTicks(xMin, xMax);
        foreach (var tick in ticks)
        {
            var x = X(tick.Value);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{top}\" x2=\"{F(x)}\" y2=\"{top + plotHeight}\" class=\"grid\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{top + plotHeight + 16}\" class=\"tick\" text-anchor=\"middle\">{Escape(tick.Label)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" class=\"frame\" />");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{height - 8}\" class=\"axis\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + (plotHeight / 2)}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 14 {top + (plotHeight / 2)})\">{Escape(yLabel)}</text>");

        foreach (var line in series)
        {
            var coordinates = string.Join(' ', line.Points
                .Where(point => double.IsFinite(point.X) && double.IsFinite(point.Y))
                .Select(point => $"{F(X(point.X))},{F(Y(point.Y))}"));
            var dash = line.Dashed ? " stroke-dasharray=\"6 4\"" : string.Empty;
            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"2\"{dash} points=\"{coordinates}\" data-series=\"{Escape(line.Name)}\" />");
        }

        // Legend under the title, wrapping onto as many rows as it needs.
        foreach (var (line, x, row) in legend)
        {
            var y = 32 + (row * LegendRowHeight);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{y}\" x2=\"{F(x + 18)}\" y2=\"{y}\" stroke=\"{line.Color}\" stroke-width=\"3\"{(line.Dashed ? " stroke-dasharray=\"6 4\"" : string.Empty)} />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x + 22)}\" y=\"{y + 4}\" class=\"legend\">{Escape(line.Name)}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Ticks for the percentile axis, where x = log10(1 / (1 - p)).</summary>
    public static IReadOnlyList<AxisTick> PercentileTicks(double highestNines)
    {
        var ticks = new List<AxisTick> { new(0, "0%"), new(1, "90%"), new(2, "99%"), new(3, "99.9%"), new(4, "99.99%"), new(5, "99.999%"), new(6, "99.9999%") };
        return [.. ticks.Where(tick => tick.Value <= Math.Max(2, Math.Ceiling(highestNines)))];
    }

    public static double PercentileToX(double percentile) =>
        percentile >= 100 ? double.NaN : Math.Log10(1 / (1 - (percentile / 100)));

    private static List<(ChartSeries Line, double X, int Row)> LayOutLegend(IReadOnlyList<ChartSeries> series)
    {
        var items = new List<(ChartSeries, double, int)>();
        var x = (double)Left;
        var row = 0;
        foreach (var line in series)
        {
            var width = 34 + (line.Name.Length * 6.2);
            if (x > Left && x + width > Width - Right)
            {
                row++;
                x = Left;
            }

            items.Add((line, x, row));
            x += width;
        }

        return items;
    }

    /// <summary>Round ticks (1, 2, 2.5 or 5 times a power of ten apart) covering [min, max].</summary>
    private static List<AxisTick> LinearTicks(double min, double max)
    {
        var step = NiceCeiling((max - min) / 5, [1, 2, 2.5, 5, 10]);
        var ticks = new List<AxisTick>();
        for (var value = Math.Ceiling(min / step) * step; value <= max + (step * 1e-9); value += step)
        {
            ticks.Add(new AxisTick(value, Formatting.Number(value, "0.##")));
        }

        return ticks;
    }

    private static double NiceCeiling(double value) => NiceCeiling(value, [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]);

    private static double NiceCeiling(double value, double[] steps)
    {
        if (value <= 0 || !double.IsFinite(value))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in steps)
        {
            if (step * magnitude >= value * (1 - 1e-12))
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
