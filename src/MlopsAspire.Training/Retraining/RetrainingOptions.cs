namespace MlopsAspire.Training.Retraining;

/// <summary>When a retraining run may produce a candidate, and how it is checked before it is registered.</summary>
public sealed record RetrainingOptions
{
    /// <summary>Labelled rows needed to train at all.</summary>
    public int MinimumRows { get; init; } = 2000;

    /// <summary>Rows of each class a classifier needs (a rare class with too few rows makes a meaningless model).</summary>
    public int MinimumRowsPerClass { get; init; } = 30;

    /// <summary>
    /// How much worse than the parent the candidate may be on the task's primary metric (AUC, accuracy or RMSE, in its
    /// units) on the same holdout; 0: at least as good.
    /// </summary>
    public double MaximumMetricLoss { get; init; }

    /// <summary>
    /// Largest |ONNX Runtime − trainer| prediction on the holdout for the export to count as faithful (a trainer may
    /// allow more: <see cref="Trainers.ITabularPredictor.ParityTolerance"/>).
    /// </summary>
    public double ParityTolerance { get; init; } = 1e-5;

    /// <summary>Share of the rows, the newest, held out for evaluation.</summary>
    public double HoldoutFraction { get; init; } = 0.2;
}
