namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// One replica's statistics of one model version for one interval. The replica id and a sequence number
/// that grows per replica make delivery idempotent: a retried snapshot is recognised and not counted twice.
/// </summary>
public sealed record StatisticsSnapshot(
    string ReplicaId,
    long Sequence,
    DateTimeOffset IntervalStart,
    DateTimeOffset IntervalEnd,
    PredictionStatistics Statistics);
