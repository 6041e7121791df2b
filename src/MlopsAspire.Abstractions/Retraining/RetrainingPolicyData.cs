namespace MlopsAspire.Abstractions.Retraining;

/// <summary>When a model is retrained and how its candidate is deployed.</summary>
[GenerateSerializer, Immutable]
public sealed record RetrainingPolicyData(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] bool OnAccuracyAlert,
    [property: Id(2)] bool OnDriftAlert,
    [property: Id(3)] TimeSpan? Schedule,
    [property: Id(4)] TimeSpan Cooldown,
    [property: Id(5)] TimeSpan DataWindow,
    [property: Id(6)] int MinimumRows,
    [property: Id(7)] TimeSpan LabelWait,
    [property: Id(8)] double ShadowSampleRate)
{
    /// <summary>
    /// Retrain on accuracy alerts (concept drift) and feature drift alerts, at most every 30 minutes, on the labelled
    /// rows of the last 6 hours; no schedule. The candidate shadows all production traffic.
    /// </summary>
    public static RetrainingPolicyData Default { get; } = new(
        Enabled: true,
        OnAccuracyAlert: true,
        OnDriftAlert: true,
        Schedule: null,
        Cooldown: TimeSpan.FromMinutes(30),
        DataWindow: TimeSpan.FromHours(6),
        MinimumRows: 2000,
        LabelWait: TimeSpan.FromMinutes(10),
        ShadowSampleRate: 1.0);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Schedule is { } schedule && schedule < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"a retraining schedule must be at least 1 minute apart; got {schedule}");
        }

        if (Cooldown < TimeSpan.Zero || DataWindow <= TimeSpan.Zero || LabelWait < TimeSpan.Zero)
        {
            throw new ArgumentException("cool-down and label wait cannot be negative, and the data window must be positive");
        }

        if (MinimumRows < 100)
        {
            throw new ArgumentException($"retraining needs at least 100 labelled rows; got {MinimumRows}");
        }

        if (ShadowSampleRate is <= 0 or > 1)
        {
            throw new ArgumentException($"the candidate's shadow sample rate must be in (0, 1]; got {ShadowSampleRate}");
        }
    }
}
