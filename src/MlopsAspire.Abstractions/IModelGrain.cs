namespace MlopsAspire.Abstractions;

/// <summary>
/// One model (keyed by its name): the list of its versions, the aliases that route traffic to them
/// (<c>production</c>, <c>canary</c> with a weight, <c>shadow</c> with sample rates) and the append-only audit trail
/// (entries bounded in size, see <see cref="AuditText"/>).
/// Every change moves the model's revision on; a change that names an expected revision is refused with
/// <see cref="ConcurrencyConflictException"/> when the model has moved past it. Repeating a change that is
/// already in effect changes nothing and audits nothing.
/// </summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Adds a version (numbered 1, 2, ...). Registering the same artifact again returns the existing version.</summary>
    Task<ModelVersionInfo> RegisterVersionAsync(RegisterVersionRequest request);

    /// <summary>Registered → Validating: the artifact is being checked.</summary>
    Task<ModelVersionInfo> BeginValidationAsync(string version, string actor);

    /// <summary>Records validation: Registered or Validating → Ready, or Failed with the reason.</summary>
    Task<ModelVersionInfo> RecordValidationAsync(string version, ValidationReport report, string actor);

    /// <summary>
    /// Makes a Ready, Canary or Shadow version a shadow receiving <paramref name="sampleRate"/> (0-1) of production
    /// traffic, or changes the rate of an existing shadow. Needs a production version to copy traffic from.
    /// </summary>
    Task<ModelVersionInfo> SetShadowAsync(string version, double sampleRate, ChangeContext change);

    /// <summary>
    /// Makes a Ready or Shadow version the canary answering <paramref name="weightPercent"/> (0-100) of unpinned
    /// requests, or changes the canary's weight. A previous canary goes back to Ready.
    /// </summary>
    Task<ModelVersionInfo> SetCanaryAsync(string version, int weightPercent, ChangeContext change);

    /// <summary>Makes a Ready, Shadow or Canary version the production version; the previous one returns to Ready.</summary>
    Task<ModelVersionInfo> PromoteAsync(string version, ChangeContext change);

    /// <summary>Production goes back to the previous production version (skipping retired ones); the current one returns to Ready.</summary>
    Task<ModelVersionInfo> RollbackAsync(ChangeContext change);

    /// <summary>Retires a version that is not in production; it leaves every alias and is never served again.</summary>
    Task<ModelVersionInfo> RetireAsync(string version, ChangeContext change);

    /// <summary>The model with its versions, or <see cref="ModelNotFoundException"/> if nothing was registered.</summary>
    Task<ModelInfo> GetAsync();

    /// <summary>One version in full, or <see cref="ModelNotFoundException"/> naming the model or version.</summary>
    Task<ModelVersionInfo> GetVersionAsync(string version);

    Task<bool> ExistsAsync();

    /// <summary>
    /// Up to <paramref name="count"/> events of the audit trail (at most <see cref="AuditSlices.MaxEvents"/>) from
    /// number <paramref name="start"/> on, oldest first; a negative start counts back from the end (-10: the newest
    /// ten). The whole history is kept: read it a slice at a time.
    /// </summary>
    Task<AuditSlice<AuditEvent>> GetAuditLogAsync(long start, int count);

    /// <summary>
    /// Records something monitoring or training observed about a version (an alert raised or cleared, a retraining
    /// run started or ended) in the audit trail, as a new revision; the lifecycle does not change. Ignored for a
    /// version the model does not have.
    /// </summary>
    Task RecordEventAsync(string version, string action, string detail, string actor);

    /// <summary>
    /// Pushes every change to <paramref name="observer"/> until it unsubscribes or stops renewing: a subscription
    /// lapses after <see cref="ModelObservers.SubscriptionLifetime"/>, so subscribe again well within it.
    /// </summary>
    Task SubscribeAsync(IModelObserver observer);

    Task UnsubscribeAsync(IModelObserver observer);
}

/// <summary>Receives a model's changes as they happen.</summary>
public interface IModelObserver : IGrainObserver
{
    void ModelChanged(ModelChangeNotice notice);
}

/// <summary>
/// A change to a model: its revision after the change and the audit events the change appended, the first of
/// them numbered <see cref="FirstSequence"/> in the model's trail.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ModelChangeNotice(
    [property: Id(0)] string ModelName,
    [property: Id(1)] long Revision,
    [property: Id(2)] IReadOnlyList<AuditEvent> Events,
    [property: Id(3)] long FirstSequence = 0);

public static class ModelObservers
{
    /// <summary>How long a subscription lasts without being renewed.</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(2);
}
