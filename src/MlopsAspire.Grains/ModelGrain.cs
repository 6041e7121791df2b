using System.Globalization;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains;

/// <summary>Persisted model state. Versioned contract: fields are only added, never renamed.</summary>
[GenerateSerializer]
public sealed class ModelState
{
    [Id(0)] public List<ModelVersionInfo> Versions { get; set; } = [];
    [Id(1)] public string? ProductionVersion { get; set; }
    [Id(2)] public List<AuditEvent> Audit { get; set; } = [];
}

/// <summary>
/// Owns one model's versions and lifecycle. Every transition is checked against the lifecycle
/// rules, appended to the audit trail and persisted before the new route is published.
/// </summary>
public sealed class ModelGrain(
    [PersistentState("model", GrainStorageNames.Models)] IPersistentState<ModelState> state,
    TimeProvider timeProvider)
    : Grain, IModelGrain
{
    private string Name => this.GetPrimaryKeyString();

    public async Task<ModelVersionInfo> RegisterVersionAsync(RegisterVersionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.ArtifactSha256) || request.ArtifactSize <= 0)
        {
            throw new ArgumentException("A version needs the SHA-256 and size of an uploaded artifact.", nameof(request));
        }

        var existing = state.State.Versions.Find(v => v.ArtifactSha256 == request.ArtifactSha256);
        if (existing is not null)
        {
            return existing;
        }

        var version = new ModelVersionInfo(
            ModelName: Name,
            Version: (state.State.Versions.Count + 1).ToString(CultureInfo.InvariantCulture),
            State: ModelVersionState.Registered,
            ArtifactSha256: request.ArtifactSha256,
            ArtifactSize: request.ArtifactSize,
            Framework: request.Framework,
            Description: request.Description,
            RegisteredBy: request.RegisteredBy,
            RegisteredAt: timeProvider.GetUtcNow(),
            OfflineMetrics: request.OfflineMetrics,
            Validation: null,
            ServingConfigJson: request.ServingConfigJson);
        state.State.Versions.Add(version);
        Audit(request.RegisteredBy, "register", version.Version, null, nameof(ModelVersionState.Registered), request.Description);
        await state.WriteStateAsync();
        await PublishRouteAsync();
        return version;
    }

    public async Task<ModelVersionInfo> RecordValidationAsync(string version, ValidationReport report, string actor)
    {
        ArgumentNullException.ThrowIfNull(report);
        var current = FindVersion(version);
        if (current.State is not (ModelVersionState.Registered or ModelVersionState.Validating))
        {
            throw new LifecycleViolationException(
                $"Version '{version}' of model '{Name}' is {current.State}; only a Registered version can be validated.");
        }

        var outcome = report.Passed ? ModelVersionState.Ready : ModelVersionState.Failed;
        var updated = current with { State = outcome, Validation = report };
        Replace(updated);
        Audit(actor, "validate", version, current.State.ToString(), outcome.ToString(), report.Detail);
        await state.WriteStateAsync();
        return updated;
    }

    public async Task<ModelVersionInfo> PromoteAsync(string version, string actor, string reason)
    {
        var candidate = FindVersion(version);
        if (candidate.State == ModelVersionState.Production)
        {
            return candidate;
        }

        if (!ModelVersionStates.CanPromote(candidate.State))
        {
            throw new LifecycleViolationException(
                $"Version '{version}' of model '{Name}' is {candidate.State}; only Ready, Shadow or Canary versions can be promoted.");
        }

        if (state.State.ProductionVersion is { } previous)
        {
            var demoted = FindVersion(previous) with { State = ModelVersionState.Ready };
            Replace(demoted);
            Audit(actor, "demote", previous, nameof(ModelVersionState.Production), nameof(ModelVersionState.Ready), $"replaced by version {version}");
        }

        var promoted = candidate with { State = ModelVersionState.Production };
        Replace(promoted);
        state.State.ProductionVersion = version;
        Audit(actor, "promote", version, candidate.State.ToString(), nameof(ModelVersionState.Production), reason);
        await state.WriteStateAsync();
        await PublishRouteAsync();
        return promoted;
    }

    public Task<ModelInfo> GetAsync()
    {
        if (state.State.Versions.Count == 0)
        {
            throw new ModelNotFoundException($"Model '{Name}' is not registered.");
        }

        return Task.FromResult(new ModelInfo(Name, state.State.ProductionVersion, [.. state.State.Versions]));
    }

    public Task<bool> ExistsAsync() => Task.FromResult(state.State.Versions.Count > 0);

    public Task<IReadOnlyList<AuditEvent>> GetAuditLogAsync() =>
        Task.FromResult<IReadOnlyList<AuditEvent>>([.. state.State.Audit]);

    private ModelVersionInfo FindVersion(string version) =>
        state.State.Versions.Find(v => v.Version == version)
        ?? throw new ModelNotFoundException(
            $"Model '{Name}' has no version '{version}'; versions: {string.Join(", ", state.State.Versions.Select(v => v.Version))}.");

    private void Replace(ModelVersionInfo updated)
    {
        var index = state.State.Versions.FindIndex(v => v.Version == updated.Version);
        state.State.Versions[index] = updated;
    }

    private void Audit(string actor, string action, string? version, string? from, string? to, string reason) =>
        state.State.Audit.Add(new AuditEvent(timeProvider.GetUtcNow(), actor, action, version, from, to, reason));

    private Task PublishRouteAsync()
    {
        var routed = state.State.Versions
            .Where(v => ModelVersionStates.IsRouted(v.State))
            .Select(v => new ServedVersion(v.Version, v.ArtifactSha256, v.ArtifactSize, v.ServingConfigJson))
            .ToList();
        var route = state.State.ProductionVersion is { } production && routed.Count > 0
            ? new ModelRoute(Name, production, routed)
            : null;
        return GrainFactory.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).PublishModelRouteAsync(route, Name);
    }
}
