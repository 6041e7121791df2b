using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Abstractions.Retraining;

/// <summary>
/// Retraining of one model (key: model name): its policy, the queue of runs and their history. Runs are requested
/// by an operator, by the schedule, or by an accuracy or drift alert on the production version; a training worker
/// claims a queued run, trains, registers the candidate through the management API, puts it in shadow and
/// reports the outcome. At most one run is queued or running at a time, and every step is in the model's audit trail.
/// </summary>
public interface IModelRetrainingGrain : IGrainWithStringKey
{
    Task<RetrainingPolicyData> GetPolicy();

    Task SetPolicy(RetrainingPolicyData policy);

    /// <summary>
    /// Queues a run, or returns the run already queued or running (then the trigger is only audited). Throws
    /// <see cref="LifecycleViolationException"/> when the model has no production version, or its config has no
    /// training section.
    /// </summary>
    Task<RetrainingRun> Request(RetrainingTrigger trigger);

    /// <summary>
    /// A monitoring alert on a version of this model: queues a run when it is a raised alert of a kind the policy
    /// retrains on, on the production version, whose config has a training section, outside the cool-down (which only
    /// runs that started count towards). A production version without a training section has "no retraining
    /// configured" audited once. Returns the run, or null when it starts none.
    /// </summary>
    Task<RetrainingRun?> OnAlert(MonitoringAlert alert);

    /// <summary>
    /// Hands the oldest queued run to <paramref name="workerId"/> (a scheduled run is queued first when due), or
    /// null when there is nothing to do. A run whose worker stopped reporting for the lease is handed out again.
    /// </summary>
    Task<RetrainingRun?> Claim(string workerId);

    /// <summary>Records a step of a running run (audited), and renews its lease.</summary>
    Task Progress(string runId, string stepName, string detail);

    /// <summary>Ends a run: succeeded with the candidate version it registered, or failed with the reason.</summary>
    Task<RetrainingRun> Complete(string runId, RetrainingResult result);

    /// <summary>The most recent runs, newest last.</summary>
    Task<IReadOnlyList<RetrainingRun>> GetRuns(int count);
}

/// <summary>What a worker reports at the end of a run.</summary>
/// <param name="CouldNotStart">
/// The run failed before anything was trained: no training section, an unknown trainer, a command the worker does not
/// allow-list, parameters the trainer does not take. Such a run starts no cool-down.
/// </param>
[GenerateSerializer, Immutable]
public sealed record RetrainingResult(
    [property: Id(0)] bool Succeeded,
    [property: Id(1)] string Reason,
    [property: Id(2)] string? CandidateVersion = null,
    [property: Id(3)] IReadOnlyDictionary<string, double>? Metrics = null,
    [property: Id(4)] bool CouldNotStart = false);

/// <summary>One retraining run, from request to outcome.</summary>
[GenerateSerializer, Immutable]
public sealed record RetrainingRun(
    [property: Id(0)] string RunId,
    [property: Id(1)] string ModelName,
    [property: Id(2)] RetrainingTrigger Trigger,
    [property: Id(3)] RetrainingRunStatus Status,
    [property: Id(4)] DateTimeOffset RequestedAt,
    [property: Id(5)] DateTimeOffset? StartedAt = null,
    [property: Id(6)] DateTimeOffset? EndedAt = null,
    [property: Id(7)] string? WorkerId = null,
    [property: Id(8)] string? ParentVersion = null,
    [property: Id(9)] string? CandidateVersion = null,
    [property: Id(10)] string? Reason = null,
    [property: Id(11)] IReadOnlyList<string>? Steps = null,
    [property: Id(12)] IReadOnlyDictionary<string, double>? Metrics = null,
    [property: Id(13)] DateTimeOffset? LastProgressAt = null,
    [property: Id(14)] bool CouldNotStart = false);

[GenerateSerializer]
public enum RetrainingRunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
}
