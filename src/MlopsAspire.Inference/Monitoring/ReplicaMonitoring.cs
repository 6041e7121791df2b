using System.Collections.Concurrent;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// The statistics a replica keeps per served model version: a lock-free accumulator the request path writes
/// to, the snapshots waiting to be sent, and (until the version has a reference profile) a small sample of
/// input rows from which monitoring builds one. Monitoring never fails or changes a response: whatever goes wrong
/// while a request is observed or recorded is counted here, once for the whole replica, and logged the first time.
/// </summary>
public sealed partial class ReplicaMonitoring(TimeProvider time, ILogger<ReplicaMonitoring>? logger = null)
{
    private readonly ConcurrentDictionary<(string Model, string Version), VersionStatistics> _versions = new();
    private long _faults;
    private long _snapshotsPending;
    private long _snapshotsDropped;
    private long _beginnings;

    /// <summary>Monitoring errors swallowed so far, by any part of the request path (they never reach callers).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Identifies this replica's snapshots (a restarted replica is a new one: its sequence starts again).</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public IEnumerable<VersionStatistics> Versions => _versions.Values;

    /// <summary>Snapshots drained but not yet delivered, every version together: statistics held while the control plane is unreachable.</summary>
    public long SnapshotsPending => Interlocked.Read(ref _snapshotsPending);

    /// <summary>Snapshots given up since the replica started, because too many were held for their version.</summary>
    public long SnapshotsDropped => Interlocked.Read(ref _snapshotsDropped);

    internal void CountQueued() => Interlocked.Increment(ref _snapshotsPending);

    internal void CountDelivered() => Interlocked.Decrement(ref _snapshotsPending);

    internal void CountDropped()
    {
        Interlocked.Decrement(ref _snapshotsPending);
        Interlocked.Increment(ref _snapshotsDropped);
    }

    /// <summary>
    /// The version's statistics, begun now if the replica keeps none for it. Statistics begun again (a version
    /// forgotten once unloaded, then served again) number their snapshots from 1 again, so each beginning is a sender
    /// of its own: its snapshots would otherwise read as retries of the earlier ones and be dropped as duplicates.
    /// </summary>
    public VersionStatistics For(string model, string version) =>
        _versions.GetOrAdd((model, version), key => new VersionStatistics($"{ReplicaId}-{Interlocked.Increment(ref _beginnings)}", key.Model, key.Version, time.GetUtcNow()));

    public bool TryGet(string model, string version, out VersionStatistics statistics) => _versions.TryGetValue((model, version), out statistics!);

    public void Forget(string model, string version) => _versions.TryRemove((model, version), out _);

    /// <summary>
    /// Records a request in its version's window, as the pipeline found it: an answered one with what monitoring reads
    /// of it, a failed one by its kind against the served version it failed on. A request for nothing served, or one
    /// made while monitoring is off, left nothing to record.
    /// </summary>
    /// <param name="total">Its latency, as the request metric takes it.</param>
    public void Record(RequestRecord record, TimeSpan total)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Statistics is { } statistics && record.Rows is { } rows && record.Plan is { } plan)
        {
            statistics.RecordSuccess(rows, plan, record.QueueTime, record.ComputeTime, total);
        }
        else if (record.FailedVersion is { } version)
        {
            For(version.Name, version.Version).Accumulator.RecordFailure(FailureTag.Of(record.FailureKind), total);
        }
    }

    /// <summary>Counts a monitoring error that was kept from the caller; the first one is logged, later ones only counted.</summary>
    public void CountFault(Exception exception)
    {
        if (Interlocked.Increment(ref _faults) == 1 && logger is not null)
        {
            LogFault(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording a request's statistics failed; the response was not affected (further failures are counted, not logged)")]
    private static partial void LogFault(ILogger logger, Exception exception);
}
