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

/// <summary>The names alerts carry on the wire, in storage and in the audit trail ("feature_drift", ...).</summary>
public static class AlertKinds
{
    public static string Name(this AlertKind kind) => kind switch
    {
        AlertKind.FeatureDrift => "feature_drift",
        AlertKind.PredictionDrift => "prediction_drift",
        AlertKind.Accuracy => "accuracy",
        AlertKind.DataQuality => "data_quality",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an alert kind"),
    };

    public static AlertKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new ArgumentException($"'{name}' is not an alert kind", nameof(name));

    public static bool TryParse(string name, out AlertKind kind)
    {
        foreach (var candidate in Enum.GetValues<AlertKind>())
        {
            if (candidate.Name() == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
