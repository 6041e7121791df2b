namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>
/// How a model version is monitored: the window length (1 minute by default; shorter for demos and tests),
/// how long to wait for late snapshots before judging a window, the drift thresholds, and when live accuracy
/// from feedback has fallen far enough below the version's own early accuracy to raise an accuracy alert
/// (concept drift: the inputs look the same, the answers are no longer right). A drop limit of 0 switches that
/// check off.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MonitoringPolicy(
    [property: Id(0)] TimeSpan Window,
    [property: Id(1)] TimeSpan Grace,
    [property: Id(2)] double PsiWarning,
    [property: Id(3)] double PsiAlert,
    [property: Id(4)] double JensenShannonWarning,
    [property: Id(5)] double JensenShannonAlert,
    [property: Id(6)] int ConsecutiveWarningsForAlert,
    [property: Id(7)] long MinimumRows,
    [property: Id(8)] double AccuracyDropAlert = 0,
    [property: Id(9)] double AucDropAlert = 0,
    [property: Id(10)] long MinimumLabelledRows = 0,
    [property: Id(11)] int AccuracyWindows = 0,
    [property: Id(12)] double ErrorIncreaseAlert = 0)
{
    public static MonitoringPolicy Default { get; } = new(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), 0.1, 0.25, 0.1, 0.2, 3, 200, 0.02, 0.1, 2000, 5, 0.25);

    /// <summary>Labelled rows that set the reference accuracy, and that a recent span needs before it is judged.</summary>
    public long LabelledRowsToJudge => MinimumLabelledRows > 0 ? MinimumLabelledRows : Default.MinimumLabelledRows;

    /// <summary>How many recent windows of outcomes are merged to judge accuracy.</summary>
    public int RecentAccuracyWindows => AccuracyWindows > 0 ? AccuracyWindows : Default.AccuracyWindows;
}
