namespace MlopsAspire.Console.Charts;

/// <summary>One feature at one time: its rectangle and its level (ok, warning, alert, or missing when not measured).</summary>
public sealed record HeatmapCell(string Feature, double X, double Y, double Width, double Height, string Level, string Title);
