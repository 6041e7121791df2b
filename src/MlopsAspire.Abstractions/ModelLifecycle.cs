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

/// <summary>Who changes a model, why, and which revision of it they based the change on (null: any).</summary>
[GenerateSerializer, Immutable]
public sealed record ChangeContext(
    [property: Id(0)] string Actor,
    [property: Id(1)] string Reason,
    [property: Id(2)] long? ExpectedRevision = null);
