namespace MlopsAspire.Console.Charts;

/// <summary>A drift heatmap in SVG coordinates: one row per feature (labelled at its middle), one column per reading.</summary>
public sealed record HeatmapLayout(ChartFrame Frame, IReadOnlyList<AxisTick> Rows, IReadOnlyList<HeatmapCell> Cells);
