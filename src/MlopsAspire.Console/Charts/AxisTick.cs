namespace MlopsAspire.Console.Charts;

/// <summary>A labelled value on an axis and where it is drawn (an SVG coordinate).</summary>
public sealed record AxisTick(double Value, double Position, string Label);
