using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Monitoring.Mapping;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>
/// The monitoring policy of versions that have none of their own (section <c>Monitoring</c> of the silo's
/// configuration). Short windows make demos and accelerated end-to-end runs react in seconds.
/// </summary>
public sealed class MonitoringDefaultsOptions
{
    public const string SectionName = "Monitoring";

    public TimeSpan Window { get; set; } = MonitoringPolicy.Default.Window;

    public TimeSpan Grace { get; set; } = MonitoringPolicy.Default.Grace;

    public double AccuracyDropAlert { get; set; } = MonitoringPolicy.Default.AccuracyDropAlert;

    public double AucDropAlert { get; set; } = MonitoringPolicy.Default.AucDropAlert;

    public long MinimumLabelledRows { get; set; } = MonitoringPolicy.Default.MinimumLabelledRows;

    /// <summary>
    /// How many recent windows are merged to judge accuracy; together they need <see cref="MinimumLabelledRows"/>
    /// labelled rows, so a model with few labels per window needs more of them.
    /// </summary>
    public int AccuracyWindows { get; set; } = MonitoringPolicy.Default.AccuracyWindows;

    /// <summary>Relative MAE increase of a regression that raises an accuracy alert (0.25: a quarter worse than its reference).</summary>
    public double ErrorIncreaseAlert { get; set; } = MonitoringPolicy.Default.ErrorIncreaseAlert;

    /// <summary>Windows with fewer rows are insufficient data: not judged for drift.</summary>
    public long MinimumRows { get; set; } = MonitoringPolicy.Default.MinimumRows;

    /// <summary>The default policy with these values, checked like any policy (a bad setting stops the silo with its reason).</summary>
    public MonitoringPolicy ToPolicy()
    {
        var policy = MonitoringPolicy.Default with
        {
            Window = Window,
            Grace = Grace,
            AccuracyDropAlert = AccuracyDropAlert,
            AucDropAlert = AucDropAlert,
            MinimumLabelledRows = MinimumLabelledRows,
            AccuracyWindows = AccuracyWindows,
            ErrorIncreaseAlert = ErrorIncreaseAlert,
            MinimumRows = MinimumRows,
        };
        policy.Validate();
        return policy;
    }
}
