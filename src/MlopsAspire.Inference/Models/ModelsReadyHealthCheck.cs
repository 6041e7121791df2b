using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlopsAspire.Abstractions;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Healthy once the first model set (routing table or local folder) is applied and fully loaded; Degraded, naming
/// the versions and their errors, while a version it was asked to serve fails to load (the replica keeps serving the
/// rest, so it stays in rotation); Unhealthy until the first set has loaded.
/// </summary>
public sealed class ModelsReadyHealthCheck(ModelRepository repository, VersionLoadStates loads) : IHealthCheck
{
    public const string Name = "models";
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failed = loads.Snapshot().Where(load => load.State == VersionLoadState.Failed).ToList();
        var failures = string.Join("; ", failed.Select(load =>
            $"model '{load.Model}' version {load.Version} failed to load ({load.FailedAttempts} attempt{(load.FailedAttempts == 1 ? "" : "s")}, next at {load.NextAttemptAt:O}): {load.Error}"));
        if (!repository.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(failed.Count == 0 ? "models are still loading" : $"models are still loading; {failures}"));
        }

        return Task.FromResult(failed.Count == 0
            ? HealthCheckResult.Healthy($"serving {repository.LoadedModels.Count} model versions")
            : HealthCheckResult.Degraded($"serving {repository.LoadedModels.Count} model versions; {failures}"));
    }
}
