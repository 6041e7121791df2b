namespace MlopsAspire.Console.Charts;

/// <summary>
/// Everything a prediction-distribution chart draws, in SVG coordinates, computed by <see cref="DistributionChartGeometry"/>:
/// the recent shares as bars, the reference shares as a step line over the same bins, the bin edges under them.
/// </summary>
public sealed record DistributionChartLayout(
    ChartFrame Frame,
    double YMax,
    IReadOnlyList<AxisTick> YTicks,
    IReadOnlyList<DistributionBar> Bars,
    string ReferencePoints,
    IReadOnlyList<AxisTick> EdgeLabels,
    long Rows,
    long ReferenceRows);
