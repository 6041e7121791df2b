using System.Collections.Concurrent;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// The statistics a replica keeps per served model version: a lock-free accumulator the request path writes
/// to, the snapshots waiting to be sent, and (until the version has a reference profile) a small sample of
/// input rows from which monitoring builds one.
/// </summary>
public sealed class ReplicaMonitoring(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Model, string Version), VersionStatistics> _versions = new();

    /// <summary>Identifies this replica's snapshots (a restarted replica is a new one: its sequence starts again).</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public IEnumerable<VersionStatistics> Versions => _versions.Values;

    public VersionStatistics For(string model, string version) =>
        _versions.GetOrAdd((model, version), key => new VersionStatistics(ReplicaId, key.Model, key.Version, time.GetUtcNow()));

    public bool TryGet(string model, string version, out VersionStatistics statistics) => _versions.TryGetValue((model, version), out statistics!);

    public void Forget(string model, string version) => _versions.TryRemove((model, version), out _);
}
