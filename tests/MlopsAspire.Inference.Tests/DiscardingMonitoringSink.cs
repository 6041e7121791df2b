using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Inference.Monitoring;

namespace MlopsAspire.Inference.Tests;

/// <summary>Statistics are only accumulated when there is somewhere to send them; tests using this read them directly.</summary>
internal sealed class DiscardingMonitoringSink : IMonitoringSink
{
    public Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken) =>
        Task.FromResult<ReferenceProfileData?>(null);
}
