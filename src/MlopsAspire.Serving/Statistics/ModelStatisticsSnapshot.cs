namespace MlopsAspire.Serving.Statistics;

/// <summary>A consistent-enough copy of <see cref="ModelStatistics"/> (each counter read atomically).</summary>
public sealed record ModelStatisticsSnapshot(
    string ModelName,
    string ModelVersion,
    long LastInferenceUnixMs,
    long InferenceCount,
    long ExecutionCount,
    DurationStatistic Success,
    DurationStatistic Fail,
    DurationStatistic Queue,
    DurationStatistic ComputeInput,
    DurationStatistic ComputeInfer,
    DurationStatistic ComputeOutput,
    IReadOnlyList<BatchStatistic> BatchStats,
    long Pending);
