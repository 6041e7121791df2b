using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>Sends statistics to <see cref="IModelMonitorGrain"/>s through the replica's Orleans client.</summary>
public sealed class GrainMonitoringSink(IClusterClient cluster) : IMonitoringSink
{
    public Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken) =>
        cluster.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(modelName, version)).Report(snapshot).WaitAsync(cancellationToken);

    public Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken) =>
        cluster.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(modelName, version)).GetReferenceProfile().WaitAsync(cancellationToken);
}
