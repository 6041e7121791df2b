
namespace MlopsAspire.Serving.Warmup;

/// <summary>One warmup execution: the batch size and how long its session Run took.</summary>
public readonly record struct WarmupRun(int BatchSize, TimeSpan Duration);
