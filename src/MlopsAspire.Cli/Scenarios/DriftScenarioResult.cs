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
