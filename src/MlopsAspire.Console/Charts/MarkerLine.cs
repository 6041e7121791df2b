namespace MlopsAspire.Console.Charts;

/// <summary>A marker placed on the plot: the SVG X of its vertical line, and its kind (see <see cref="ChartMarker"/>).</summary>
public sealed record MarkerLine(double X, string Label, string Kind);
