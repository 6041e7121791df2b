namespace MlopsAspire.Training.Retraining;

/// <summary>When a retraining run may produce a candidate, and how it is checked before it is registered.</summary>
public sealed record RetrainingOptions
{
    /// <summary>Labelled rows needed to train at all.</summary>
    public int MinimumRows { get; init; } = 2000;

    /// <summary>Rows of each class needed (fraud is rare: too few positives make a meaningless model).</summary>
    public int MinimumRowsPerClass { get; init; } = 30;

    /// <summary>The candidate's holdout AUC may be at most this much below the parent's on the same holdout.</summary>
    public double MaximumAucLoss { get; init; } = 0.0;

    /// <summary>Largest |ONNX Runtime − ML.NET| probability on the holdout for the export to count as faithful.</summary>
    public double ParityTolerance { get; init; } = 1e-5;

    /// <summary>Share of the rows held out for evaluation.</summary>
    public double HoldoutFraction { get; init; } = 0.2;
}
