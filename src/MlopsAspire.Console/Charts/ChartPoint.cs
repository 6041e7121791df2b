namespace MlopsAspire.Console.Charts;

/// <summary>One measurement: X is seconds on the chart's time axis, Y the value (NaN for none).</summary>
public readonly record struct ChartPoint(double X, double Y);
