namespace MlopsAspire.Serving.Statistics;

/// <summary>Executions of one batch size and the time their phases took (Triton's InferBatchStatistics).</summary>
public sealed record BatchStatistic(int BatchSize, DurationStatistic ComputeInput, DurationStatistic ComputeInfer, DurationStatistic ComputeOutput);
