namespace MlopsAspire.Monitoring.Alerts;

/// <summary>
/// When live metrics and data quality raise alerts. Drops are absolute (0.02 = two points of accuracy); the error
/// increase of a regression is relative (0.25 = MAE a quarter above its reference). 0 switches a check off. An alert
/// clears once the metric is back within half its limit, so a value hovering at the limit does not flap.
/// </summary>
public sealed record AlertThresholds
{
    /// <summary>Accuracy drop (binary and multiclass) and macro-F1 drop (multiclass) that raise an accuracy alert.</summary>
    public double AccuracyDrop { get; init; } = 0.02;

    /// <summary>AUC drop (binary) that raises an accuracy alert.</summary>
    public double AucDrop { get; init; } = 0.1;

    /// <summary>Relative increase of the mean absolute error (regression) that raises an accuracy alert.</summary>
    public double ErrorIncrease { get; init; } = 0.25;

    /// <summary>Share of a window's input values that are NaN or infinite above which data quality alerts.</summary>
    public double NonFiniteShare { get; init; } = 0.01;

    /// <summary>Share of a window's values outside the declared ranges or categories above which data quality alerts.</summary>
    public double OutOfRangeShare { get; init; } = 0.05;

    public static AlertThresholds Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (AccuracyDrop is < 0 or > 1 || AucDrop is < 0 or > 1)
        {
            throw new ArgumentException($"accuracy and AUC drop limits must be between 0 (off) and 1; got {AccuracyDrop} and {AucDrop}");
        }

        if (ErrorIncrease < 0 || double.IsNaN(ErrorIncrease))
        {
            throw new ArgumentException($"the error increase limit must be 0 (off) or more; got {ErrorIncrease}");
        }

        if (NonFiniteShare is <= 0 or > 1 || OutOfRangeShare is <= 0 or > 1)
        {
            throw new ArgumentException($"data quality shares must be in (0, 1]; got {NonFiniteShare} and {OutOfRangeShare}");
        }
    }
}
