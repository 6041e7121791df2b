using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.Grains.Retraining;

/// <summary>
/// The retraining queue and history of one model. Triggers arrive from operators, from monitoring alerts (the
/// monitor grain forwards each raised alert) and from the schedule, which is checked whenever a worker asks for
/// work, so no timer or reminder has to keep the grain alive. Only a production version whose config says how to
/// retrain it (a <c>training</c> section) gets runs. Runs are audited on the model's production version.
/// </summary>
public sealed partial class ModelRetrainingGrain(
    [PersistentState("retraining", GrainStorageNames.Models)] IPersistentState<ModelRetrainingState> state,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<ModelRetrainingGrain> logger) : Grain, IModelRetrainingGrain
{
    /// <summary>Who retraining events are attributed to in a model's audit trail.</summary>
    public const string Actor = "training";

    /// <summary>A running run whose worker has not reported for this long is handed out again.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);

    private const int KeptRuns = 200;

    private string ModelName => this.GetPrimaryKeyString();

    private RetrainingPolicyData Policy => state.State.Policy ?? RetrainingPolicyData.Default;

    public Task<RetrainingPolicyData> GetPolicy() => Task.FromResult(Policy);

    public async Task SetPolicy(RetrainingPolicyData policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        state.State.Policy = policy;
        await state.WriteStateAsync();
    }

    public async Task<RetrainingRun> Request(RetrainingTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentException.ThrowIfNullOrEmpty(trigger.Kind);
        var model = grains.GetGrain<IModelGrain>(ModelName);
        if (!await model.ExistsAsync())
        {
            throw new ModelNotFoundException($"model '{ModelName}' is not registered");
        }

        return await QueueAsync(trigger, await model.GetAsync());
    }

    /// <summary>Queues a run of <paramref name="info"/>'s production version, or returns the active one.</summary>
    private async Task<RetrainingRun> QueueAsync(RetrainingTrigger trigger, ModelInfo info)
    {
        if (info.ProductionVersion is null)
        {
            throw new LifecycleViolationException($"model '{ModelName}' has no production version to retrain from");
        }

        if (NoRetrainingConfigured(info) is { } reason)
        {
            throw new LifecycleViolationException($"model '{ModelName}' cannot be retrained: {reason}");
        }

        if (Active() is { } active)
        {
            await AuditAsync(info.ProductionVersion, "retrain-request-merged", $"{trigger}; run {active.RunId} is already {active.Status.ToString().ToLowerInvariant()}");
            return active;
        }

        var run = new RetrainingRun(
            $"{ModelName}-{time.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..6]}",
            ModelName,
            trigger,
            RetrainingRunStatus.Queued,
            time.GetUtcNow(),
            ParentVersion: info.ProductionVersion,
            Steps: []);
        state.State.Runs.Add(run);
        Trim();
        await state.WriteStateAsync();
        await AuditAsync(info.ProductionVersion, "retrain-requested", $"run {run.RunId}: {trigger}");
        LogRequested(ModelName, trigger, run.RunId);
        return run;
    }

    public async Task<RetrainingRun?> OnAlert(MonitoringAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var policy = Policy;
        var wanted = alert.Kind switch
        {
            AlertKind.Accuracy => policy.OnAccuracyAlert,
            AlertKind.FeatureDrift or AlertKind.PredictionDrift => policy.OnDriftAlert,
            _ => false,
        };
        if (!alert.Raised || !wanted || !policy.Enabled)
        {
            return null;
        }

        var model = grains.GetGrain<IModelGrain>(ModelName);
        var info = await model.ExistsAsync() ? await model.GetAsync() : null;
        if (info is null || info.ProductionVersion != alert.ModelVersion)
        {
            // Only production's health starts retraining: a shadow or canary drifting is the gates' business.
            return null;
        }

        if (NoRetrainingConfigured(info) is { } reason)
        {
            // Said once per production version, not on every alert.
            if (state.State.NotConfiguredAuditedFor != info.ProductionVersion)
            {
                state.State.NotConfiguredAuditedFor = info.ProductionVersion;
                await state.WriteStateAsync();
                await AuditAsync(alert.ModelVersion, "retrain-not-configured", $"{alert.Kind.Name()} alert not acted on: {reason}");
            }

            return null;
        }

        // A run that could not start (no trainer for the config, command not allow-listed) trained nothing: no cool-down.
        var last = state.State.Runs.LastOrDefault(run => !run.CouldNotStart);
        if (last is not null && last.Status is RetrainingRunStatus.Succeeded or RetrainingRunStatus.Failed
            && last.Trigger.Kind == RetrainingTrigger.Alert && time.GetUtcNow() - last.RequestedAt < policy.Cooldown)
        {
            await AuditAsync(alert.ModelVersion, "retrain-skipped", $"{alert.Kind.Name()} alert within the cool-down of {policy.Cooldown} after run {last.RunId}");
            return null;
        }

        // Train on what the world looks like since the alert: rows from before it would teach the old concept again.
        return await QueueAsync(new RetrainingTrigger(
            RetrainingTrigger.Alert,
            $"{alert.Kind.Name()} alert on version {alert.ModelVersion}: {alert.Subject}: {alert.Detail}",
            "monitoring",
            alert.At), info);
    }

    public async Task<RetrainingRun?> Claim(string workerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        await QueueScheduledRunIfDueAsync();
        var now = time.GetUtcNow();
        var index = state.State.Runs.FindIndex(run =>
            run.Status == RetrainingRunStatus.Queued
            || (run.Status == RetrainingRunStatus.Running && now - (run.LastProgressAt ?? run.StartedAt ?? now) > Lease));
        if (index < 0)
        {
            return null;
        }

        var claimed = state.State.Runs[index] with
        {
            Status = RetrainingRunStatus.Running,
            StartedAt = now,
            LastProgressAt = now,
            WorkerId = workerId,
        };
        state.State.Runs[index] = claimed;
        await state.WriteStateAsync();
        await AuditAsync(claimed.ParentVersion, "retrain-started", $"run {claimed.RunId} on worker {workerId}");
        return claimed;
    }

    public async Task Progress(string runId, string stepName, string detail)
    {
        var (index, run) = Find(runId);
        if (run.Status != RetrainingRunStatus.Running)
        {
            throw new InvalidOperationException($"run {runId} is {run.Status.ToString().ToLowerInvariant()}, not running");
        }

        var line = $"{time.GetUtcNow():O} {stepName}: {detail}";
        state.State.Runs[index] = run with { Steps = [.. run.Steps ?? [], line], LastProgressAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        await AuditAsync(run.ParentVersion, $"retrain-{stepName}", $"run {runId}: {detail}");
    }

    public async Task<RetrainingRun> Complete(string runId, RetrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (index, run) = Find(runId);
        if (run.Status is RetrainingRunStatus.Succeeded or RetrainingRunStatus.Failed)
        {
            return run;
        }

        var ended = run with
        {
            Status = result.Succeeded ? RetrainingRunStatus.Succeeded : RetrainingRunStatus.Failed,
            EndedAt = time.GetUtcNow(),
            CandidateVersion = result.CandidateVersion,
            Reason = result.Reason,
            Metrics = result.Metrics is { } metrics ? new Dictionary<string, double>(metrics) : null,
            CouldNotStart = !result.Succeeded && result.CouldNotStart,
        };
        state.State.Runs[index] = ended;
        await state.WriteStateAsync();
        await AuditAsync(
            result.CandidateVersion ?? run.ParentVersion,
            result.Succeeded ? "retrain-succeeded" : "retrain-failed",
            result.Succeeded ? $"run {runId}: candidate version {result.CandidateVersion} in shadow; {result.Reason}" : $"run {runId}: {result.Reason}; production unchanged");
        if (result.Succeeded)
        {
            LogSucceeded(runId, ModelName, result.CandidateVersion, result.Reason);
        }
        else
        {
            LogFailed(runId, ModelName, result.Reason);
        }

        return ended;
    }

    public Task<IReadOnlyList<RetrainingRun>> GetRuns(int count) =>
        Task.FromResult<IReadOnlyList<RetrainingRun>>([.. state.State.Runs.TakeLast(Math.Max(0, count))]);

    /// <summary>Why the production version cannot be retrained by its config, or null when it says how.</summary>
    private static string? NoRetrainingConfigured(ModelInfo info)
    {
        var production = info.Versions.FirstOrDefault(version => version.Version == info.ProductionVersion);
        try
        {
            return ModelContractReader.Parse(production?.ServingConfigJson, $"version {info.ProductionVersion}'s config").Training is null
                ? $"no retraining configured: version {info.ProductionVersion}'s config has no 'training' section"
                : null;
        }
        catch (ModelContractException exception)
        {
            return $"no retraining configured: {exception.Message}";
        }
    }

    private RetrainingRun? Active() =>
        state.State.Runs.LastOrDefault(run => run.Status is RetrainingRunStatus.Queued or RetrainingRunStatus.Running);

    private (int Index, RetrainingRun Run) Find(string runId)
    {
        var index = state.State.Runs.FindIndex(run => run.RunId == runId);
        return index < 0
            ? throw new ArgumentException($"model '{ModelName}' has no retraining run '{runId}'")
            : (index, state.State.Runs[index]);
    }

    private async Task QueueScheduledRunIfDueAsync()
    {
        var policy = Policy;
        if (!policy.Enabled || policy.Schedule is not { } schedule || Active() is not null)
        {
            return;
        }

        var lastScheduled = state.State.Runs.LastOrDefault(run => run.Trigger.Kind == RetrainingTrigger.Scheduled)?.RequestedAt
            ?? state.State.ScheduleStartedAt;
        if (lastScheduled is null)
        {
            // The schedule counts from the first time a worker asks, not from the epoch.
            state.State.ScheduleStartedAt = time.GetUtcNow();
            await state.WriteStateAsync();
            return;
        }

        if (time.GetUtcNow() - lastScheduled.Value >= schedule)
        {
            try
            {
                await Request(new RetrainingTrigger(RetrainingTrigger.Scheduled, $"every {schedule}", "schedule"));
            }
            catch (Exception exception) when (exception is ModelNotFoundException or LifecycleViolationException)
            {
                LogScheduleSkipped(ModelName, exception.Message);
                state.State.ScheduleStartedAt = time.GetUtcNow();
                await state.WriteStateAsync();
            }
        }
    }

    private void Trim()
    {
        if (state.State.Runs.Count > KeptRuns)
        {
            state.State.Runs.RemoveRange(0, state.State.Runs.Count - KeptRuns);
        }
    }

    private async Task AuditAsync(string? version, string action, string detail)
    {
        if (version is null)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IModelGrain>(ModelName).RecordEventAsync(version, action, detail, Actor);
        }
        catch (Exception exception)
        {
            LogAuditFailed(exception, action, ModelName);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining of {Model} requested ({Trigger}): run {Run}")]
    private partial void LogRequested(string model, RetrainingTrigger trigger, string run);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining run {Run} of {Model} registered candidate {Version}: {Reason}")]
    private partial void LogSucceeded(string run, string model, string? version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retraining run {Run} of {Model} failed: {Reason}")]
    private partial void LogFailed(string run, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled retraining of {Model} skipped: {Reason}")]
    private partial void LogScheduleSkipped(string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Action} of {Model} in the audit trail")]
    private partial void LogAuditFailed(Exception exception, string action, string model);
}
