namespace MlopsAspire.Console.Charts;

/// <summary>The drift of every feature read at one time (X in seconds on the time axis).</summary>
public sealed record DriftColumn(double X, IReadOnlyDictionary<string, DriftReading> Features);
