namespace MlopsAspire.LoadTest.Reports;

/// <summary>An axis tick: where it sits (in the chart's x units) and what it says.</summary>
public sealed record AxisTick(double Value, string Label);
