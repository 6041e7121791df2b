namespace MlopsAspire.Console.Charts;

/// <summary>A named line of points in ascending X.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);
