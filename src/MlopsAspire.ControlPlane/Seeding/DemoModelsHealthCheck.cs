using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlopsAspire.ControlPlane.Seeding;

/// <summary>The control plane is ready once the demo models are registered and routed.</summary>
public sealed class DemoModelsHealthCheck(DemoModelSeeder seeder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(seeder.Completed.IsCompletedSuccessfully
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(seeder.FailureReason is { } reason
                ? $"demo models not seeded yet: {reason}"
                : "demo models not seeded yet"));
}
