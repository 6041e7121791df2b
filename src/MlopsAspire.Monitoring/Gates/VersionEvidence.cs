namespace MlopsAspire.Monitoring.Gates;

/// <summary>What monitoring knows of one version over the evaluation span.</summary>
public sealed record VersionEvidence(
    string Version,
    long Rows,
    TimeSpan Observed,
    double ErrorRate,
    double P99Milliseconds,
    long LabelledRows,
    double Accuracy,
    double? ShadowAgreement = null,
    double? MeanScoreDelta = null);
