namespace MlopsAspire.ModelContracts;

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
