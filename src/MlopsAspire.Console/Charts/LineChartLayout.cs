namespace MlopsAspire.Console.Charts;

/// <summary>Everything an SVG line chart draws, in SVG coordinates, computed by <see cref="LineChartGeometry"/>.</summary>
public sealed record LineChartLayout(
    ChartFrame Frame,
    double XMin,
    double XMax,
    double YMax,
    IReadOnlyList<AxisTick> YTicks,
    IReadOnlyList<SeriesPath> Series,
    IReadOnlyList<MarkerLine> Markers);
