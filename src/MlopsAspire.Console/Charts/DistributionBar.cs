namespace MlopsAspire.Console.Charts;

/// <summary>One bin's share of the recent predictions as a bar in SVG coordinates, with the bin and both shares as its title.</summary>
public sealed record DistributionBar(double X, double Y, double Width, double Height, string Title);
