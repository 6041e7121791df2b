namespace MlopsAspire.Console.Charts;

/// <summary>A marker placed on the plot: the SVG X of its vertical line.</summary>
public sealed record MarkerLine(double X, string Label);
