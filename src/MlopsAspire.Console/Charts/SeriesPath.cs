namespace MlopsAspire.Console.Charts;

/// <summary>A series as an SVG polyline: its <c>points</c> attribute, and its colour by position (0, 1, …).</summary>
public sealed record SeriesPath(string Name, int ColorIndex, string Points);
