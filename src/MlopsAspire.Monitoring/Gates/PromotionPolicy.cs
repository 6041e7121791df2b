namespace MlopsAspire.Monitoring.Gates;

/// <summary>
/// When a candidate (shadow or canary) may replace production, and when a live version must be rolled back.
/// Every limit can be switched off with null. Defaults are conservative starting points, meant to be tuned
/// per model.
/// </summary>
/// <remarks>
/// The one definition of a promotion policy: its fields, defaults and limits. The grain message and the wire message
/// carry the same fields under the same names, copied in one place each, and a test fails when one of them misses one.
/// </remarks>
public sealed record PromotionPolicy
{
    /// <summary>Rows the candidate must have scored before any decision.</summary>
    public long MinimumRows { get; init; } = 1000;

    /// <summary>How long the candidate must have been observed before any decision.</summary>
    public TimeSpan MinimumDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Share of rows where the candidate's label agrees with production's (shadow comparison).</summary>
    public double? MinimumShadowAgreement { get; init; } = 0.95;

    /// <summary>Largest mean |score difference| from production (shadow comparison).</summary>
    public double? MaximumMeanScoreDelta { get; init; } = 0.05;

    /// <summary>Candidate p99 ÷ production p99.</summary>
    public double? MaximumP99Ratio { get; init; } = 1.5;

    public double? MaximumErrorRate { get; init; } = 0.01;

    /// <summary>How much lower than the baseline's accuracy (absolute, e.g. 0.02 = two points) the candidate's may be.</summary>
    public double? MaximumAccuracyDrop { get; init; } = 0.02;

    /// <summary>Labelled rows needed before the accuracy check counts (else it is skipped, not failed).</summary>
    public long MinimumLabelledRows { get; init; } = 200;

    /// <summary>Promote a candidate automatically once every check passes.</summary>
    public bool AutoPromote { get; init; }

    /// <summary>Roll back a canary or production version automatically when it fails a check.</summary>
    public bool AutoRollback { get; init; }

    /// <summary>How much recent monitoring the gates judge a version on.</summary>
    public TimeSpan EvaluationSpan { get; init; } = TimeSpan.FromHours(1);

    public static PromotionPolicy Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (MinimumRows < 0 || MinimumDuration < TimeSpan.Zero || MinimumLabelledRows < 0)
        {
            throw new ArgumentException("minimum rows, duration and labelled rows cannot be negative");
        }

        if (EvaluationSpan <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the evaluation span must be positive; got {EvaluationSpan}");
        }

        Check(MinimumShadowAgreement, 0, 1, "minimum shadow agreement");
        Check(MaximumMeanScoreDelta, 0, double.MaxValue, "maximum mean score delta");
        Check(MaximumP99Ratio, 0, double.MaxValue, "maximum p99 ratio");
        Check(MaximumErrorRate, 0, 1, "maximum error rate");
        Check(MaximumAccuracyDrop, 0, 1, "maximum accuracy drop");
    }

    private static void Check(double? value, double low, double high, string name)
    {
        if (value is { } v && !(v >= low && v <= high))
        {
            throw new ArgumentException($"{name} must be between {low} and {high}; got {v}");
        }
    }
}
