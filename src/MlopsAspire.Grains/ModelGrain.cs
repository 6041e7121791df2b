using System.Globalization;
using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;
using MlopsAspire.Grains.Audit;
using Orleans.Utilities;

namespace MlopsAspire.Grains;

/// <summary>
/// Owns one model's lifecycle: decides every transition (the rules that involve aliases and several versions),
/// moves the version grains, appends the audit events, persists, then publishes the route and tells watchers.
/// The audit trail is paged (<see cref="AuditTrail{TEvent}"/>): the model's state holds only its newest events, so
/// a change writes the same bounded state however long the history is.
/// </summary>
public sealed class ModelGrain(
    // "model-v2": versions moved to their own grains. State written by the earlier layout is left unread rather
    // than misread, so a store from before starts empty (and the demo models are seeded again).
    [PersistentState("model-v2", GrainStorageNames.Models)] IPersistentState<ModelState> state,
    TimeProvider timeProvider,
    ILogger<ModelGrain> logger)
    : Grain, IModelGrain
{
    private readonly ObserverManager<IModelObserver> _observers = new(ModelObservers.SubscriptionLifetime, logger);
    private readonly List<AuditEvent> _pendingAudit = [];
    private AuditTrail<AuditEvent> _auditTrail = null!;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _auditTrail = new AuditTrail<AuditEvent>(() => state.State.AuditTrail, $"model/{Name}", GrainFactory, logger);
        if (state.State.Audit.Count > 0)
        {
            // Kept whole (and unbounded) by earlier releases: bound each entry and page the lot.
            state.State.AuditTrail.Tail.InsertRange(0, state.State.Audit.Select(e => e.Bounded()));
            state.State.Audit.Clear();
            await state.WriteStateAsync(cancellationToken);
            await _auditTrail.SealAsync(() => state.WriteStateAsync(cancellationToken));
        }
    }

    public async Task<ModelVersionInfo> RegisterVersionAsync(RegisterVersionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ModelNames.Validate(Name);
        if (string.IsNullOrWhiteSpace(request.ArtifactSha256) || request.ArtifactSize <= 0)
        {
            throw new ArgumentException("A version needs the SHA-256 and size of an uploaded artifact.", nameof(request));
        }

        var existing = state.State.Versions.Find(v => v.ArtifactSha256 == request.ArtifactSha256);
        if (existing is not null)
        {
            return await DescribeAsync(existing);
        }

        var number = (state.State.Versions.Count + 1).ToString(CultureInfo.InvariantCulture);
        if (request.Lineage?.ParentVersion is { } parent && parent != number)
        {
            FindEntry(parent);
        }

        var version = await VersionGrain(number).CreateAsync(new ModelVersionInfo(
            ModelName: Name,
            Version: number,
            State: ModelVersionState.Registered,
            ArtifactSha256: request.ArtifactSha256,
            ArtifactSize: request.ArtifactSize,
            Framework: request.Framework,
            Description: request.Description,
            RegisteredBy: request.RegisteredBy,
            RegisteredAt: timeProvider.GetUtcNow(),
            OfflineMetrics: request.OfflineMetrics,
            Validation: null,
            ServingConfigJson: request.ServingConfigJson,
            Owner: request.Owner,
            Signature: request.DeclaredSignature,
            Lineage: request.Lineage));
        state.State.Versions.Add(new ModelVersionEntry(
            number, version.State, version.ArtifactSha256, version.ArtifactSize, version.ServingConfigJson));
        Audit(request.RegisteredBy, "register", number, null, nameof(ModelVersionState.Registered), request.Description);
        await CommitAsync(publishRoute: true);
        return version;
    }

    public async Task<ModelVersionInfo> BeginValidationAsync(string version, string actor)
    {
        var entry = FindEntry(version);
        if (entry.State == ModelVersionState.Validating)
        {
            return await DescribeAsync(entry);
        }

        RequireMove(entry, ModelVersionState.Validating);
        var moved = await MoveAsync(entry, ModelVersionState.Validating);
        Audit(actor, "validating", version, nameof(ModelVersionState.Registered), nameof(ModelVersionState.Validating), "artifact validation started");
        await CommitAsync(publishRoute: false);
        return moved;
    }

    public async Task<ModelVersionInfo> RecordValidationAsync(string version, ValidationReport report, string actor)
    {
        ArgumentNullException.ThrowIfNull(report);
        var entry = FindEntry(version);
        if (ModelVersionStates.ValidationRefusal(entry.State) is { } rule)
        {
            throw Refuse(entry, rule);
        }

        var outcome = report.Passed ? ModelVersionState.Ready : ModelVersionState.Failed;
        var moved = await MoveAsync(entry, outcome, report);
        Audit(actor, "validate", version, entry.State.ToString(), outcome.ToString(), report.Detail);
        await CommitAsync(publishRoute: false);
        return moved;
    }

    public async Task<ModelVersionInfo> SetShadowAsync(string version, double sampleRate, ChangeContext change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var entry = FindEntry(version);
        CheckRevision(change);
        if (!double.IsFinite(sampleRate) || sampleRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"A shadow sample rate is a fraction from 0 to 1, got {sampleRate.ToString(CultureInfo.InvariantCulture)}.");
        }

        var shadowIndex = state.State.Shadows.FindIndex(s => s.Version == version);
        if (entry.State == ModelVersionState.Shadow && shadowIndex >= 0 && state.State.Shadows[shadowIndex].SampleRate.Equals(sampleRate))
        {
            return await DescribeAsync(entry);
        }

        RequireMove(entry, ModelVersionState.Shadow);
        RequireProduction("a shadow receives a copy of production traffic");
        if (entry.State == ModelVersionState.Canary)
        {
            state.State.Canary = null;
        }

        var moved = await MoveAsync(entry, ModelVersionState.Shadow);
        var shadow = new ShadowRoute(version, sampleRate);
        if (shadowIndex >= 0)
        {
            state.State.Shadows[shadowIndex] = shadow;
        }
        else
        {
            state.State.Shadows.Add(shadow);
        }

        Audit(change.Actor, "shadow", version, entry.State.ToString(), nameof(ModelVersionState.Shadow),
            WithDetail(change.Reason, $"sample rate {sampleRate.ToString(CultureInfo.InvariantCulture)}"));
        await CommitAsync(publishRoute: true);
        return moved;
    }

    public async Task<ModelVersionInfo> SetCanaryAsync(string version, int weightPercent, ChangeContext change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var entry = FindEntry(version);
        CheckRevision(change);
        if (weightPercent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(weightPercent), weightPercent, $"A canary weight is a whole percentage from 0 to 100, got {weightPercent}.");
        }

        if (entry.State == ModelVersionState.Canary && state.State.Canary is { } sameCanary && sameCanary.WeightPercent == weightPercent)
        {
            return await DescribeAsync(entry);
        }

        RequireMove(entry, ModelVersionState.Canary);
        RequireProduction("a canary splits traffic with production");
        await RequireLoadableAsync(entry);
        if (state.State.Canary is { } previous && previous.Version != version)
        {
            var previousEntry = FindEntry(previous.Version);
            await MoveAsync(previousEntry, ModelVersionState.Ready);
            Audit(change.Actor, "demote", previous.Version, nameof(ModelVersionState.Canary), nameof(ModelVersionState.Ready),
                $"canary replaced by version {version}");
        }

        state.State.Shadows.RemoveAll(s => s.Version == version);
        var moved = await MoveAsync(entry, ModelVersionState.Canary);
        state.State.Canary = new CanaryRoute(version, weightPercent);
        Audit(change.Actor, "canary", version, entry.State.ToString(), nameof(ModelVersionState.Canary),
            WithDetail(change.Reason, $"weight {weightPercent}%"));
        await CommitAsync(publishRoute: true);
        return moved;
    }

    public async Task<ModelVersionInfo> PromoteAsync(string version, ChangeContext change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var candidate = FindEntry(version);
        CheckRevision(change);
        if (candidate.State == ModelVersionState.Production)
        {
            return await DescribeAsync(candidate);
        }

        RequireMove(candidate, ModelVersionState.Production);
        await RequireLoadableAsync(candidate);

        if (state.State.ProductionVersion is { } previous)
        {
            await MoveAsync(FindEntry(previous), ModelVersionState.Ready);
            state.State.ProductionHistory.Add(previous);
            Audit(change.Actor, "demote", previous, nameof(ModelVersionState.Production), nameof(ModelVersionState.Ready), $"replaced by version {version}");
        }

        RemoveFromAliases(version);
        var promoted = await MoveAsync(candidate, ModelVersionState.Production);
        state.State.ProductionVersion = version;
        Audit(change.Actor, "promote", version, candidate.State.ToString(), nameof(ModelVersionState.Production), change.Reason);
        await CommitAsync(publishRoute: true);
        return promoted;
    }

    public async Task<ModelVersionInfo> RollbackAsync(ChangeContext change)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureExists();
        CheckRevision(change);
        var current = state.State.ProductionVersion
            ?? throw new LifecycleViolationException($"Model '{Name}' has no production version to roll back.");

        var history = state.State.ProductionHistory;
        var targetIndex = history.FindLastIndex(v => ModelVersionStates.CanPromote(FindEntry(v).State));
        if (targetIndex < 0)
        {
            throw new LifecycleViolationException(
                $"Model '{Name}' has no earlier production version to roll back to: version {current} is the first in production"
                + (history.Count > 0 ? $" still servable (earlier ones {string.Join(", ", history)} were retired)." : "."));
        }

        var target = FindEntry(history[targetIndex]);
        history.RemoveRange(targetIndex, history.Count - targetIndex);
        await MoveAsync(FindEntry(current), ModelVersionState.Ready);
        Audit(change.Actor, "demote", current, nameof(ModelVersionState.Production), nameof(ModelVersionState.Ready),
            WithDetail(change.Reason, $"rolled back to version {target.Version}"));
        RemoveFromAliases(target.Version);
        var restored = await MoveAsync(target, ModelVersionState.Production);
        state.State.ProductionVersion = target.Version;
        Audit(change.Actor, "rollback", target.Version, target.State.ToString(), nameof(ModelVersionState.Production),
            WithDetail(change.Reason, $"replaces version {current}"));
        await CommitAsync(publishRoute: true);
        return restored;
    }

    public async Task<ModelVersionInfo> RetireAsync(string version, ChangeContext change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var entry = FindEntry(version);
        CheckRevision(change);
        if (entry.State == ModelVersionState.Retired)
        {
            return await DescribeAsync(entry);
        }

        RequireMove(entry, ModelVersionState.Retired);
        RemoveFromAliases(version);
        var retired = await MoveAsync(entry, ModelVersionState.Retired);
        Audit(change.Actor, "retire", version, entry.State.ToString(), nameof(ModelVersionState.Retired), change.Reason);
        await CommitAsync(publishRoute: ModelVersionStates.IsRouted(entry.State));
        return retired;
    }

    public async Task<ModelInfo> GetAsync()
    {
        EnsureExists();
        var versions = await Task.WhenAll(state.State.Versions.Select(DescribeAsync));
        return new ModelInfo(
            Name,
            state.State.ProductionVersion,
            versions,
            state.State.Revision,
            state.State.Canary,
            [.. state.State.Shadows],
            [.. state.State.ProductionHistory]);
    }

    public Task<ModelVersionInfo> GetVersionAsync(string version) => DescribeAsync(FindEntry(version));

    public Task<bool> ExistsAsync() => Task.FromResult(state.State.Versions.Count > 0);

    public Task<AuditSlice<AuditEvent>> GetAuditLogAsync(long start, int count) => _auditTrail.ReadAsync(start, count);

    public Task SubscribeAsync(IModelObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IModelObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private IModelVersionGrain VersionGrain(string version) =>
        GrainFactory.GetGrain<IModelVersionGrain>(ModelVersionKey.Format(Name, version));

    /// <summary>The version's full record, with the lifecycle state as this model decided it.</summary>
    private async Task<ModelVersionInfo> DescribeAsync(ModelVersionEntry entry)
    {
        var version = await VersionGrain(entry.Version).GetAsync();
        return version.State == entry.State ? version : version with { State = entry.State };
    }

    private async Task<ModelVersionInfo> MoveAsync(ModelVersionEntry entry, ModelVersionState target, ValidationReport? validation = null)
    {
        var moved = await VersionGrain(entry.Version).MoveAsync(target, validation);
        var index = state.State.Versions.FindIndex(v => v.Version == entry.Version);
        state.State.Versions[index] = state.State.Versions[index] with { State = target };
        return moved;
    }

    private void EnsureExists()
    {
        if (state.State.Versions.Count == 0)
        {
            throw new ModelNotFoundException($"Model '{Name}' is not registered.");
        }
    }

    private ModelVersionEntry FindEntry(string version)
    {
        EnsureExists();
        return state.State.Versions.Find(v => v.Version == version)
            ?? throw new ModelNotFoundException(
                $"Model '{Name}' has no version '{version}'; versions: {string.Join(", ", state.State.Versions.Select(v => v.Version))}.");
    }

    private void CheckRevision(ChangeContext change)
    {
        if (change.ExpectedRevision is { } expected && expected != state.State.Revision)
        {
            throw new ConcurrencyConflictException(
                $"Model '{Name}' is at revision {state.State.Revision}, but the change expected revision {expected}; read the model again and retry.",
                state.State.Revision);
        }
    }

    private void RequireProduction(string why)
    {
        if (state.State.ProductionVersion is null)
        {
            throw new LifecycleViolationException($"Model '{Name}' has no production version; {why}, so promote a version first.");
        }
    }

    /// <summary>Replicas report the versions they could not load; sending traffic to one that none could load serves nothing.</summary>
    private async Task RequireLoadableAsync(ModelVersionEntry entry)
    {
        var loads = await GrainFactory.GetGrain<IModelLoadStatusGrain>(Name).GetAsync();
        if (loads.FirstOrDefault(load => load.Version == entry.Version) is { NoReplicaLoaded: true } load)
        {
            throw Refuse(entry, $"no replica could load it ({load.Describe()}); fix the artifact or its serving configuration and register it as a new version");
        }
    }

    private void RemoveFromAliases(string version)
    {
        if (state.State.Canary?.Version == version)
        {
            state.State.Canary = null;
        }

        state.State.Shadows.RemoveAll(s => s.Version == version);
    }

    /// <summary>Refuses, with the lifecycle table's rule, an operation that would put <paramref name="entry"/> in <paramref name="target"/>.</summary>
    private void RequireMove(ModelVersionEntry entry, ModelVersionState target)
    {
        if (ModelVersionStates.Refusal(entry.State, target) is { } rule)
        {
            throw Refuse(entry, rule);
        }
    }

    private LifecycleViolationException Refuse(ModelVersionEntry entry, string rule) =>
        new($"Version '{entry.Version}' of model '{Name}' is {entry.State}; {rule}.");

    private static string WithDetail(string reason, string detail) =>
        string.IsNullOrWhiteSpace(reason) ? detail : $"{reason} ({detail})";

    public async Task RecordEventAsync(string version, string action, string detail, string actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        if (state.State.Versions.All(entry => entry.Version != version))
        {
            return;
        }

        Audit(actor, action, version, null, null, detail);
        await CommitAsync(publishRoute: false);
    }

    private void Audit(string actor, string action, string? version, string? from, string? to, string reason) =>
        _pendingAudit.Add(new AuditEvent(timeProvider.GetUtcNow(), actor, action, version, from, to, reason, state.State.Revision + 1).Bounded());

    /// <summary>Persists the change as one new revision, then publishes the route and tells watchers.</summary>
    private async Task CommitAsync(bool publishRoute)
    {
        state.State.Revision++;
        var firstSequence = _auditTrail.Total;
        _auditTrail.Append(_pendingAudit);
        var events = _pendingAudit.ToArray();
        _pendingAudit.Clear();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The in-memory state is ahead of the store now; reload it on the next call rather than serve it.
            DeactivateOnIdle();
            throw;
        }

        await _auditTrail.SealAsync(state.WriteStateAsync);

        if (publishRoute)
        {
            await PublishRouteAsync();
        }

        var notice = new ModelChangeNotice(Name, state.State.Revision, events, firstSequence);
        _observers.Notify(observer => observer.ModelChanged(notice));
    }

    private Task PublishRouteAsync()
    {
        ModelRoute? route = null;
        if (state.State.ProductionVersion is { } production)
        {
            var served = new List<ServedVersion> { Served(production, ServedVersionRole.Production) };
            if (state.State.Canary is { } canary)
            {
                served.Add(Served(canary.Version, ServedVersionRole.Canary));
            }

            served.AddRange(state.State.Shadows.Select(shadow => Served(shadow.Version, ServedVersionRole.Shadow)));
            route = new ModelRoute(Name, production, served, state.State.Canary, [.. state.State.Shadows]);
        }

        return GrainFactory.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).PublishModelRouteAsync(route, Name);
    }

    private ServedVersion Served(string version, ServedVersionRole role)
    {
        var entry = FindEntry(version);
        return new ServedVersion(entry.Version, entry.ArtifactSha256, entry.ArtifactSize, entry.ServingConfigJson, role);
    }
}
