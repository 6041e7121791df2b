using MlopsAspire.ModelContracts;

namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>
/// Monitoring of one model version (key <c>name/version</c>, see <see cref="ModelVersionKey"/>): merges replicas'
/// statistics snapshots into rolling windows, judges each closed window against the reference profile and
/// raises or clears alerts.
/// </summary>
public interface IModelMonitorGrain : IGrainWithStringKey
{
    /// <summary>Merges one snapshot; false when this (replica, sequence) was already counted.</summary>
    Task<bool> Report(MonitoringSnapshot snapshot);

    /// <summary>
    /// Merges ground truth joined from feedback into the windows of the predictions' times, read for the version's
    /// <paramref name="task"/> (binary, multiclass or regression). <paramref name="batchId"/> identifies the batch, so a
    /// retried delivery is counted once.
    /// </summary>
    Task<bool> RecordOutcomes(string batchId, ModelTask task, IReadOnlyList<LabelledOutcome> outcomes);

    Task SetReferenceProfile(ReferenceProfileData profile);

    Task<ReferenceProfileData?> GetReferenceProfile();

    Task SetPolicy(MonitoringPolicy policy);

    Task<MonitoringPolicy> GetPolicy();

    /// <summary>Merged statistics of the windows that started within <paramref name="span"/> before now.</summary>
    Task<MonitoringSummary> GetSummary(TimeSpan span);

    /// <summary>The most recent judged windows, oldest first.</summary>
    Task<IReadOnlyList<WindowReport>> GetWindowReports(int count);

    /// <summary>Alerts raised and cleared, oldest first (the last <paramref name="count"/>).</summary>
    Task<IReadOnlyList<MonitoringAlert>> GetAlerts(int count);

    /// <summary>Judges every window that has closed by now (also runs on a timer).</summary>
    Task EvaluateClosedWindows();

    /// <summary>
    /// Writes the merged snapshots not stored yet, now rather than when the write-behind interval is up. The monitor
    /// calls it on itself as its silo's host starts stopping.
    /// </summary>
    Task Persist();
}
