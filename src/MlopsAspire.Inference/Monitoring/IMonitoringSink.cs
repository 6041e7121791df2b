using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>Where a replica's statistics go: the monitoring grain of each version.</summary>
public interface IMonitoringSink
{
    /// <summary>Delivers one snapshot (awaited: the caller's backpressure); false when it was already counted.</summary>
    Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken);

    Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken);
}
