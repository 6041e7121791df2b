using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>
/// What a monitoring grain keeps in storage. Windows are stored as merged snapshots (replica id
/// <see cref="StoredWindowReplica"/>, interval = the window), so one message shape serves the wire and storage.
/// </summary>
[GenerateSerializer]
public sealed class ModelMonitorState
{
    public const string StoredWindowReplica = "window";

    [Id(0)] public ReferenceProfileData? Profile { get; set; }

    [Id(1)] public MonitoringPolicy? Policy { get; set; }

    [Id(2)] public List<MonitoringSnapshot> ShortWindows { get; set; } = [];

    [Id(3)] public List<MonitoringSnapshot> LongWindows { get; set; } = [];

    [Id(4)] public List<ReplicaSequence> Replicas { get; set; } = [];

    [Id(5)] public List<WindowReport> Reports { get; set; } = [];

    [Id(6)] public List<MonitoringAlert> Alerts { get; set; } = [];

    [Id(7)] public Dictionary<string, int> ConsecutiveWarnings { get; set; } = [];

    [Id(8)] public DateTimeOffset? LastJudgedWindow { get; set; }

    [Id(9)] public Dictionary<string, MonitoringAlert> ActiveAlerts { get; set; } = [];

    /// <summary>Production rows collected to build a reference profile when none was supplied.</summary>
    [Id(10)] public List<float[]> ProfileSample { get; set; } = [];

    [Id(11)] public List<string>? SampleFeatureNames { get; set; }

    /// <summary>Live metrics of the version's first labelled rows: what later metrics are compared with.</summary>
    [Id(12)] public ReferenceOutcomes? AccuracyReference { get; set; }

    /// <summary>The prediction of each row in <see cref="ProfileSample"/> (NaN where the replica had none).</summary>
    [Id(13)] public List<float> ProfilePredictions { get; set; } = [];

    /// <summary>The task the recorded outcomes were read for (how accuracy is judged); null before any outcome.</summary>
    [Id(14)] public ModelTask? OutcomeTask { get; set; }
}

/// <summary>The deduplication state of one sender's snapshot sequence, and the end of its latest interval (default in state stored before it was kept).</summary>
[GenerateSerializer]
public sealed record ReplicaSequence([property: Id(0)] string ReplicaId, [property: Id(1)] long Highest, [property: Id(2)] ulong Seen, [property: Id(3)] DateTimeOffset LastInterval = default);
