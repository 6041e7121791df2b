namespace MlopsAspire.Console.Charts;

/// <summary>
/// A drift heatmap in SVG coordinates: one row per feature (labelled at its middle), one column per reading, and the
/// events marked between the columns.
/// </summary>
public sealed record HeatmapLayout(ChartFrame Frame, IReadOnlyList<AxisTick> Rows, IReadOnlyList<HeatmapCell> Cells, IReadOnlyList<MarkerLine> Markers);
