namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// How a shadow version's outputs compared with production's on one batch of rows: the per-batch totals that
/// <see cref="PredictionStatisticsAccumulator.RecordShadow"/> adds to the interval's
/// <see cref="MlopsAspire.Monitoring.Windows.ShadowComparison"/>.
/// </summary>
/// <param name="Compared">Rows scored by both versions.</param>
/// <param name="LabelAgreements">Rows whose label (or side of the score threshold) was the same.</param>
/// <param name="SumAbsoluteDifference">Sum of |production − shadow| over rows where both scores are finite.</param>
/// <param name="MaxAbsoluteDifference">Largest |production − shadow| among those rows.</param>
/// <param name="SumRelativeDifference">Sum of |production − shadow| / max(|production|, 1e-6) among those rows.</param>
public readonly record struct ShadowBatchComparison(
    long Compared,
    long LabelAgreements,
    double SumAbsoluteDifference,
    double MaxAbsoluteDifference,
    double SumRelativeDifference);
