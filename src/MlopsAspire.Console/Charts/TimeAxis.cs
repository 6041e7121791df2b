namespace MlopsAspire.Console.Charts;

/// <summary>
/// The span of time a chart shows, in seconds on the page's time axis: charts of one page given the same axis line
/// up, and a series that began late (a shadow's agreement) starts where it began rather than at the left edge.
/// </summary>
public sealed record TimeAxis(double From, double Until);
