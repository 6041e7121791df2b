namespace MlopsAspire.Console.Charts;

/// <summary>A feature's drift in one window: its PSI and the severity monitoring's thresholds gave it (None, Warning, Alert).</summary>
public sealed record DriftReading(double Psi, string Severity);
