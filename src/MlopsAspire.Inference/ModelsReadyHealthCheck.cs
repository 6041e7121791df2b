using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>Healthy once the first model set (routing table or local folder) is applied and fully loaded.</summary>
public sealed class ModelsReadyHealthCheck(ModelRepository repository) : IHealthCheck
{
    public const string Name = "models";
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(repository.IsReady
            ? HealthCheckResult.Healthy($"serving {repository.LoadedModels.Count} model versions")
            : HealthCheckResult.Unhealthy("models are still loading"));
}
