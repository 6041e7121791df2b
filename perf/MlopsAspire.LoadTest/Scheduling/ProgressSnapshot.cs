namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>What a progress line shows once a second: the last second, and the run so far.</summary>
public sealed record ProgressSnapshot(
    string Name,
    double ElapsedSeconds,
    double DurationSeconds,
    double IntervalRate,
    double? TargetRate,
    double P50Ms,
    double P99Ms,
    double RunP50Ms,
    double RunP99Ms,
    long Errors,
    long InFlight);
