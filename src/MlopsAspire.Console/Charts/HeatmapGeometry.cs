using System.Globalization;

namespace MlopsAspire.Console.Charts;

/// <summary>
/// Lays out a per-feature drift heatmap: features as rows in name order, readings as equal columns in time order,
/// each cell coloured by the severity monitoring gave it, so the console draws the platform's thresholds instead of
/// keeping its own. Coordinates are rounded to a tenth.
/// </summary>
public static class HeatmapGeometry
{
    // 176 units on the left hold the longest feature names of the demo models at the ticks' font size.
    public static ChartFrame DefaultFrame { get; } = new(480, 200, 176, 4, 4, 4);

    /// <summary>
    /// The layout of <paramref name="columns"/> (in time order), with each of <paramref name="markers"/> at the left edge of
    /// the first column read at or after it; markers before the first reading or after the last are left out.
    /// </summary>
    public static HeatmapLayout Layout(IReadOnlyList<DriftColumn> columns, ChartFrame frame, IReadOnlyList<ChartMarker>? markers = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(frame);
        var features = columns.SelectMany(c => c.Features.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (features.Count == 0)
        {
            return new HeatmapLayout(frame, [], [], []);
        }

        var width = frame.PlotWidth / columns.Count;
        var height = frame.PlotHeight / features.Count;
        var rows = features
            .Select((feature, row) => new AxisTick(row, Round(frame.Top + ((row + 0.5) * height)), feature))
            .ToList();
        var cells = new List<HeatmapCell>(features.Count * columns.Count);
        for (var row = 0; row < features.Count; row++)
        {
            for (var column = 0; column < columns.Count; column++)
            {
                var reading = columns[column].Features.GetValueOrDefault(features[row]);
                cells.Add(new HeatmapCell(
                    features[row],
                    Round(frame.Left + (column * width)),
                    Round(frame.Top + (row * height)),
                    Round(width),
                    Round(height),
                    Level(reading),
                    reading is null
                        ? $"{features[row]}: not measured"
                        : $"{features[row]}: PSI {reading.Psi.ToString("0.###", CultureInfo.InvariantCulture)} ({reading.Severity})"));
            }
        }

        var lines = new List<MarkerLine>();
        foreach (var marker in (markers ?? []).Where(m => m.X >= columns[0].X))
        {
            if (FirstColumnAtOrAfter(columns, marker.X) is var column and >= 0)
            {
                lines.Add(new MarkerLine(Round(frame.Left + (column * width)), marker.Label, marker.Kind));
            }
        }

        return new HeatmapLayout(frame, rows, cells, lines);
    }

    private static int FirstColumnAtOrAfter(IReadOnlyList<DriftColumn> columns, double x)
    {
        for (var column = 0; column < columns.Count; column++)
        {
            if (columns[column].X >= x)
            {
                return column;
            }
        }

        return -1;
    }

    /// <summary>The CSS level of a reading: alert and warning as monitoring judged them, ok otherwise, missing for none.</summary>
    public static string Level(DriftReading? reading) => reading?.Severity.ToUpperInvariant() switch
    {
        null => "missing",
        "ALERT" => "alert",
        "WARNING" => "warning",
        _ => "ok",
    };

    private static double Round(double coordinate) => Math.Round(coordinate, 1, MidpointRounding.AwayFromZero);
}
