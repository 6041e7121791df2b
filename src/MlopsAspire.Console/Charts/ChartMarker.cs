namespace MlopsAspire.Console.Charts;

/// <summary>Something that happened at <paramref name="X"/> (an alert, a promotion), drawn as a vertical line.</summary>
public sealed record ChartMarker(double X, string Label);
