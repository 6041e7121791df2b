namespace MlopsAspire.Cli.Scenarios;

/// <summary>What <see cref="DriftScenario"/> measured: quality before drift and after the platform healed, and how it got there.</summary>
public sealed record DriftScenarioResult
{
    /// <summary>How long the run lasted.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>True when the caller cancelled the run; the rest describes what ran until then.</summary>
    public bool Cancelled { get; init; }

    /// <summary>Production version when the run started; empty when none was.</summary>
    public string InitialProductionVersion { get; init; } = "";

    /// <summary>Production version when the run ended, as last read from the management API.</summary>
    public string FinalProductionVersion { get; init; } = "";

    /// <summary>When labels switched to the drifted concept; null when the run ended before.</summary>
    public TimeSpan? DriftStartedAt { get; init; }

    /// <summary>A version that became production after drift started and still was at the end; null when none did.</summary>
    public string? NewProductionVersion { get; init; }

    /// <summary>When <see cref="NewProductionVersion"/> was first seen as production.</summary>
    public TimeSpan? ProductionChangedAt { get; init; }

    /// <summary>Quality over the pre-drift buckets after the warm-up.</summary>
    public DriftQuality PreDrift { get; init; } = DriftQuality.None;

    /// <summary>Quality over the drifted buckets served wholly by <see cref="NewProductionVersion"/>.</summary>
    public DriftQuality PostRecovery { get; init; } = DriftQuality.None;

    public double PreDriftAccuracy => PreDrift.Accuracy;

    public double PostRecoveryAccuracy => PostRecovery.Accuracy;

    /// <summary>The tolerance <see cref="Recovered"/> was judged with.</summary>
    public double RecoveryTolerance { get; init; }

    /// <summary>Post-recovery accuracy is within <see cref="RecoveryTolerance"/> of pre-drift accuracy (both measured).</summary>
    public bool Recovered { get; init; }

    public IReadOnlyList<DriftBucket> Buckets { get; init; } = [];

    public IReadOnlyList<DriftTimelineEvent> Events { get; init; } = [];

    /// <summary>Requests due by the schedule, answered or not.</summary>
    public long RequestsSent { get; init; }

    /// <summary>Requests answered with a usable probability per row.</summary>
    public long RequestsSucceeded { get; init; }

    /// <summary>Failed or skipped requests by gRPC status name (or a client-side reason such as BadResponse).</summary>
    public IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; } = new Dictionary<string, long>();

    /// <summary>What happened to the ground truth sent back.</summary>
    public DriftFeedbackTotals Feedback { get; init; } = new();

    /// <summary>Failed reads of the model's routes by gRPC status name.</summary>
    public IReadOnlyDictionary<string, long> PollErrorsByStatus { get; init; } = new Dictionary<string, long>();
}

/// <summary>Accuracy (score ≥ 0.5 against the label) and AUC pooled over the rows of some buckets; NaN when there were none.</summary>
public sealed record DriftQuality(int Buckets, long Rows, double Accuracy, double Auc)
{
    public static DriftQuality None { get; } = new(0, 0, double.NaN, double.NaN);
}

/// <summary>
/// Responses that arrived in [<see cref="Start"/>, <see cref="End"/>) after the run started: their rows' quality overall
/// and per serving version, and the failures in the same span.
/// </summary>
public sealed record DriftBucket(
    TimeSpan Start,
    TimeSpan End,
    long Requests,
    long Rows,
    long Correct,
    long Positives,
    long DriftedRows,
    double Accuracy,
    double Auc,
    IReadOnlyDictionary<string, DriftVersionSlice> Versions,
    IReadOnlyDictionary<string, long> Errors)
{
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>The label pattern of the bucket's rows: original, drifted or mixed (the bucket straddles the switch).</summary>
    public string Concept => Rows == 0 ? "-" : DriftedRows == 0 ? "original" : DriftedRows == Rows ? "drifted" : "mixed";
}

/// <summary>The rows of one bucket that one model version answered.</summary>
public sealed record DriftVersionSlice(string Version, long Rows, long Correct, double Accuracy, double Auc);

public enum DriftEventKind
{
    /// <summary>The routes as first read.</summary>
    RoutesObserved,
    DriftStarted,
    VersionRegistered,
    VersionStateChanged,
    ShadowStarted,
    ShadowEnded,
    CanaryChanged,
    ProductionChanged,
}

/// <summary>Something that changed during the run, at its time since the start.</summary>
public sealed record DriftTimelineEvent(TimeSpan At, DriftEventKind Kind, string Version, string Detail);

/// <summary>Ground truth sent as feedback: items (one per request) and how the server took them.</summary>
public sealed record DriftFeedbackTotals
{
    public long Batches { get; init; }

    public long ItemsSent { get; init; }

    public long Joined { get; init; }

    public long Unknown { get; init; }

    public long Rejected { get; init; }

    /// <summary>Failed feedback calls by gRPC status name; their items are not retried.</summary>
    public IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; } = new Dictionary<string, long>();
}

/// <summary>How a model routes traffic at one moment, as the scenario reads it from the management API.</summary>
public sealed record ModelRoutes(string Production, string Canary, int CanaryWeightPercent, IReadOnlyList<string> Shadows, IReadOnlyDictionary<string, string> VersionStates);
