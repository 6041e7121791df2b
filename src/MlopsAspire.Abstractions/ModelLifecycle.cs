using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Abstractions;

/// <summary>Where a model version is in its life. Stored by name, so values may be added but never renumbered.</summary>
public enum ModelVersionState
{
    Registered = 0,
    Validating = 1,
    Ready = 2,
    Failed = 3,
    Shadow = 4,
    Canary = 5,
    Production = 6,
    Retired = 7,
}

/// <summary>The name, Open Inference Protocol datatype and shape (-1 for a variable dimension) of one model input or output.</summary>
[GenerateSerializer, Immutable]
public sealed record TensorSignature(
    [property: Id(0)] string Name,
    [property: Id(1)] string Datatype,
    [property: Id(2)] IReadOnlyList<long> Shape)
{
    public override string ToString() => $"{Name} {Datatype} [{string.Join(",", Shape)}]";

    // Value equality for the shape too: a signature read back from storage equals the one declared.
    public bool Equals(TensorSignature? other) =>
        other is not null && Name == other.Name && Datatype == other.Datatype && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(Name, Datatype, Shape.Count);
}

/// <summary>A model's inputs and outputs.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelSignature(
    [property: Id(0)] IReadOnlyList<TensorSignature> Inputs,
    [property: Id(1)] IReadOnlyList<TensorSignature> Outputs)
{
    public bool Equals(ModelSignature? other) =>
        other is not null && Inputs.SequenceEqual(other.Inputs) && Outputs.SequenceEqual(other.Outputs);

    public override int GetHashCode() => HashCode.Combine(Inputs.Count, Outputs.Count);

    public override string ToString() =>
        $"inputs {string.Join("; ", Inputs)}; outputs {string.Join("; ", Outputs)}";
}

/// <summary>The period of data a version was trained on.</summary>
[GenerateSerializer, Immutable]
public sealed record TrainingDataWindow(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To);

/// <summary>
/// Where a version came from: the version it was derived from, the data it was trained on, the reference
/// distribution drift is measured against (supplied at registration or filled in by monitoring), and how it was
/// made: trainer (and, for the command trainer, the allow-listed command's name), hyperparameters, seed, row count and what
/// started the training run.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ModelLineage(
    [property: Id(0)] string? ParentVersion,
    [property: Id(1)] TrainingDataWindow? TrainingData,
    [property: Id(2)] ReferenceProfileData? Reference = null,
    [property: Id(3)] string? Trainer = null,
    [property: Id(4)] IReadOnlyDictionary<string, string>? Parameters = null,
    [property: Id(5)] int? Seed = null,
    [property: Id(6)] long TrainingRows = 0,
    [property: Id(7)] string? Trigger = null,
    [property: Id(8)] string? Command = null);

/// <summary>What a caller declares when registering a new version of a model.</summary>
[GenerateSerializer, Immutable]
public sealed record RegisterVersionRequest(
    [property: Id(0)] string ArtifactSha256,
    [property: Id(1)] long ArtifactSize,
    [property: Id(2)] string Framework,
    [property: Id(3)] string Description,
    [property: Id(4)] string RegisteredBy,
    [property: Id(5)] IReadOnlyDictionary<string, double> OfflineMetrics,
    [property: Id(6)] string? ServingConfigJson,
    [property: Id(7)] string? Owner = null,
    [property: Id(8)] ModelSignature? DeclaredSignature = null,
    [property: Id(9)] ModelLineage? Lineage = null);

/// <summary>The outcome of loading a version's artifact and running it on sample inputs.</summary>
[GenerateSerializer, Immutable]
public sealed record ValidationReport(
    [property: Id(0)] bool Passed,
    [property: Id(1)] string Detail,
    [property: Id(2)] IReadOnlyList<TensorSignature> Inputs,
    [property: Id(3)] IReadOnlyList<TensorSignature> Outputs,
    [property: Id(4)] IReadOnlyDictionary<int, double> LatencyMillisecondsByBatchSize);

/// <summary>One version of a model: its artifact, provenance, lifecycle state and validation.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelVersionInfo(
    [property: Id(0)] string ModelName,
    [property: Id(1)] string Version,
    [property: Id(2)] ModelVersionState State,
    [property: Id(3)] string ArtifactSha256,
    [property: Id(4)] long ArtifactSize,
    [property: Id(5)] string Framework,
    [property: Id(6)] string Description,
    [property: Id(7)] string RegisteredBy,
    [property: Id(8)] DateTimeOffset RegisteredAt,
    [property: Id(9)] IReadOnlyDictionary<string, double> OfflineMetrics,
    [property: Id(10)] ValidationReport? Validation,
    [property: Id(11)] string? ServingConfigJson,
    [property: Id(12)] string? Owner = null,
    [property: Id(13)] ModelSignature? Signature = null,
    [property: Id(14)] ModelLineage? Lineage = null)
{
    /// <summary>The grain key of this version: <c>name/version</c>.</summary>
    public string Key => ModelVersionKey.Format(ModelName, Version);
}

/// <summary>A model and its aliases. <see cref="Revision"/> grows with every change, for optimistic concurrency.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string? ProductionVersion,
    [property: Id(2)] IReadOnlyList<ModelVersionInfo> Versions,
    [property: Id(3)] long Revision = 0,
    [property: Id(4)] CanaryRoute? Canary = null,
    [property: Id(5)] IReadOnlyList<ShadowRoute>? Shadows = null,
    [property: Id(6)] IReadOnlyList<string>? ProductionHistory = null);

/// <summary>One entry of a model's append-only audit trail; <see cref="Revision"/> is the model's revision after it.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? Version,
    [property: Id(4)] string? From,
    [property: Id(5)] string? To,
    [property: Id(6)] string Reason,
    [property: Id(7)] long Revision = 0)
{
    /// <summary>This event with every field bounded and escaped as <see cref="AuditText"/> says.</summary>
    public AuditEvent Bounded() => this with
    {
        Actor = AuditText.Name(Actor),
        Action = AuditText.Name(Action),
        Version = AuditText.Name(Version),
        From = AuditText.Name(From),
        To = AuditText.Name(To),
        Reason = AuditText.Text(Reason),
    };
}

/// <summary>Who changes a model, why, and which revision of it they based the change on (null: any).</summary>
[GenerateSerializer, Immutable]
public sealed record ChangeContext(
    [property: Id(0)] string Actor,
    [property: Id(1)] string Reason,
    [property: Id(2)] long? ExpectedRevision = null);

/// <summary>A request the lifecycle rules refuse; the message says which rule and what would be allowed.</summary>
[GenerateSerializer]
public sealed class LifecycleViolationException : Exception
{
    public LifecycleViolationException(string message) : base(message) { }
}

/// <summary>A model or version that does not exist; the message names it.</summary>
[GenerateSerializer]
public sealed class ModelNotFoundException : Exception
{
    public ModelNotFoundException(string message) : base(message) { }
}

/// <summary>A change based on a revision of the model that is no longer current; re-read the model and retry.</summary>
[GenerateSerializer]
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException(string message, long currentRevision) : base(message) => CurrentRevision = currentRevision;

    [Id(0)]
    public long CurrentRevision { get; private set; }
}
