namespace MlopsAspire.LoadTest.Baselines;

/// <summary>What one candidate setup achieved in its tuning run.</summary>
public sealed record TuningResult(ContenderSetup Setup, double Throughput, double P99Ms, long Failed);
