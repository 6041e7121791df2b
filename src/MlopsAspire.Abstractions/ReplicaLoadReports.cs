namespace MlopsAspire.Abstractions;

/// <summary>How often replicas report their load states, and how long a report counts.</summary>
public static class ReplicaLoadReports
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>Three missed reports: the replica is gone (or cut off) and no longer counts.</summary>
    public static readonly TimeSpan Lifetime = Interval * 3;

    /// <summary>
    /// Summarises each version of the reports received within <see cref="Lifetime"/> before <paramref name="now"/>,
    /// in version order (numeric versions numerically).
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
                        loads);
                }),
        ];
    }
}
