namespace MlopsAspire.Console.Charts;

/// <summary>A chart's size in SVG units and the margins around its plot area (room for axis labels).</summary>
public sealed record ChartFrame(double Width, double Height, double Left, double Top, double Right, double Bottom)
{
    public static ChartFrame Default { get; } = new(480, 200, 48, 10, 10, 24);

    public double PlotWidth => Width - Left - Right;

    public double PlotHeight => Height - Top - Bottom;
}
