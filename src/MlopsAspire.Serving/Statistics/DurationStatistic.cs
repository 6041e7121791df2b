namespace MlopsAspire.Serving.Statistics;

/// <summary>A count and the total time of those events, in nanoseconds (Triton's StatisticDuration).</summary>
public readonly record struct DurationStatistic(long Count, long Nanoseconds);
