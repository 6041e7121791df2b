namespace MlopsAspire.Cli.Scenarios;

/// <summary>Accuracy (score ≥ 0.5 against the label) and AUC pooled over the rows of some buckets; NaN when there were none.</summary>
public sealed record DriftQuality(int Buckets, long Rows, double Accuracy, double Auc)
{
    public static DriftQuality None { get; } = new(0, 0, double.NaN, double.NaN);
}
