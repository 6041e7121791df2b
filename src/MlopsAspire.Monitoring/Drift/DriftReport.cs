
namespace MlopsAspire.Monitoring.Drift;

/// <summary>A window's drift report: every feature and prediction, and the worst severity among them.</summary>
public sealed record DriftReport(
    DateTimeOffset WindowStart,
    IReadOnlyList<FeatureDrift> Features,
    IReadOnlyList<FeatureDrift> Predictions,
    long NonFiniteInputs,
    long OutOfRangeInputs)
{
    public DriftSeverity Severity =>
        Features.Concat(Predictions).Select(drift => drift.Severity).DefaultIfEmpty(DriftSeverity.None).Max();
}
