namespace MlopsAspire.ModelContracts;

/// <summary>What an alert is about. Monitoring raises them; retraining and the audit trail act on them by kind.</summary>
public enum AlertKind
{
    /// <summary>An input feature's distribution moved away from the reference.</summary>
    FeatureDrift,

    /// <summary>The predictions' distribution (scores, classes or values) moved away from the reference.</summary>
    PredictionDrift,

    /// <summary>Live metrics from feedback fell below the version's own early level (concept drift).</summary>
    Accuracy,

    /// <summary>Inputs arrive broken: non-finite values, or values outside the declared ranges.</summary>
    DataQuality,
}
