using Orleans.Concurrency;

namespace MlopsAspire.Abstractions;

/// <summary>
/// Where the inference replicas stand on loading one model's routed versions (key: model name). Each replica reports
/// what it was asked to serve of this model, on every change and at least every <see cref="ReplicaLoadReports.Interval"/>;
/// a replica silent for <see cref="ReplicaLoadReports.EndpointLifetime"/> is no longer listed as an endpoint, and one
/// silent for <see cref="ReplicaLoadReports.Lifetime"/> no longer counts. Reports live in memory only:
/// after a restart the next round of reports rebuilds them. With the model's auto-rollback policy on, a production
/// version that fails on every replica is rolled back, and such a canary retired, through the model grain.
/// </summary>
public interface IModelLoadStatusGrain : IGrainWithStringKey
{
    /// <summary>Replaces what <paramref name="report"/>'s replica said before; no versions means it serves none of this model.</summary>
    Task ReportAsync(ReplicaLoadReport report);

    /// <summary>Each version some live replica reported, summarised across replicas.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<VersionLoadSummary>> GetAsync();
}

/// <summary>How a replica holds a version it was asked to serve. Stored by name: values may be added, never renumbered.</summary>
public enum VersionLoadState
{
    Loading = 0,
    Loaded = 1,
    Failed = 2,
}

/// <summary>One version on one replica: its state, the last load error and, while it fails, the retry schedule.</summary>
[GenerateSerializer, Immutable]
public sealed record VersionLoadStatus(
    [property: Id(0)] string Version,
    [property: Id(1)] VersionLoadState State,
    [property: Id(2)] string? Error,
    [property: Id(3)] int FailedAttempts,
    [property: Id(4)] DateTimeOffset? NextAttemptAt);

/// <summary>
/// What one replica holds of one model, and the address clients reach its Open Inference gRPC service at directly
/// (<c>http://host:port</c>; null when the replica does not know one), so they may skip a proxy in front of the replicas.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaLoadReport(
    [property: Id(0)] string ReplicaId,
    [property: Id(1)] IReadOnlyList<VersionLoadStatus> Versions,
    [property: Id(2)] string? GrpcAddress = null);

/// <summary>One replica's report of a version, when it was received, and the replica's own gRPC address.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaVersionLoad(
    [property: Id(0)] string ReplicaId,
    [property: Id(1)] VersionLoadStatus Status,
    [property: Id(2)] DateTimeOffset ReportedAt,
    [property: Id(3)] string? GrpcAddress = null);
