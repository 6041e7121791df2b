namespace MlopsAspire.Abstractions;

/// <summary>How often replicas report their load states, and how long a report counts for what.</summary>
public static class ReplicaLoadReports
{
    /// <summary>The longest a live replica goes between two reports (it also reports at every change).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Three missed reports: the replica is taken off the endpoint list clients call directly, so a killed replica
    /// stops drawing calls soon, while a control-plane failover (about 12 s) or one lost report does not drop a live one.
    /// </summary>
    public static readonly TimeSpan EndpointLifetime = Interval * 3;

    /// <summary>
    /// How long a silent replica still counts in the load summaries. Longer than <see cref="EndpointLifetime"/>:
    /// promotion refuses a version no counted replica could load, and auto-rollback acts on a version that fails on
    /// every counted replica, so the count should not change with a few late reports.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(90);

    /// <summary>Whether a replica whose latest report arrived at <paramref name="reportedAt"/> is still listed as an endpoint at <paramref name="now"/>.</summary>
    public static bool IsListedAsEndpoint(DateTimeOffset reportedAt, DateTimeOffset now) => now - reportedAt <= EndpointLifetime;

    /// <summary>
    /// Summarises each version of the reports received within <see cref="Lifetime"/> before <paramref name="now"/>,
    /// in version order (numeric versions numerically); each summary's endpoints are the replicas holding it loaded at
    /// a known address that reported within <see cref="EndpointLifetime"/>.
    /// </summary>
    public static IReadOnlyList<VersionLoadSummary> Summarize(
        IReadOnlyDictionary<string, (DateTimeOffset ReportedAt, IReadOnlyList<VersionLoadStatus> Versions, string? GrpcAddress)> reports,
        DateTimeOffset now)
    {
        var live = reports.Where(report => now - report.Value.ReportedAt <= Lifetime).ToList();
        return
        [
            .. live
                .SelectMany(report => report.Value.Versions.Select(status => new ReplicaVersionLoad(report.Key, status, report.Value.ReportedAt, report.Value.GrpcAddress)))
                .GroupBy(load => load.Status.Version, StringComparer.Ordinal)
                .OrderBy(group => long.TryParse(group.Key, out var number) ? number : long.MaxValue)
                .ThenBy(group => group.Key, StringComparer.Ordinal)
                .Select(group =>
                {
                    var loads = group.OrderBy(load => load.ReplicaId, StringComparer.Ordinal).ToList();
                    var lastError = loads
                        .Where(load => load.Status.State == VersionLoadState.Failed)
                        .OrderByDescending(load => load.ReportedAt)
                        .Select(load => load.Status.Error)
                        .FirstOrDefault();
                    return new VersionLoadSummary(
                        group.Key,
                        live.Count,
                        loads.Count(load => load.Status.State == VersionLoadState.Loaded),
                        loads.Count(load => load.Status.State == VersionLoadState.Loading),
                        loads.Count(load => load.Status.State == VersionLoadState.Failed),
                        lastError,
                        loads,
                        [.. loads.Where(load => load.Status.State == VersionLoadState.Loaded
                            && !string.IsNullOrEmpty(load.GrpcAddress)
                            && IsListedAsEndpoint(load.ReportedAt, now))]);
                }),
        ];
    }
}
