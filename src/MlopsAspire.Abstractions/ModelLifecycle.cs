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

public static class ModelVersionStates
{
    /// <summary>States whose versions inference replicas load.</summary>
    public static bool IsRouted(ModelVersionState state) =>
        state is ModelVersionState.Production or ModelVersionState.Canary or ModelVersionState.Shadow;

    /// <summary>States from which a version may be promoted to production.</summary>
    public static bool CanPromote(ModelVersionState state) =>
        state is ModelVersionState.Ready or ModelVersionState.Shadow or ModelVersionState.Canary;
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

/// <summary>What a caller declares when registering a new version of a model.</summary>
[GenerateSerializer, Immutable]
public sealed record RegisterVersionRequest(
    [property: Id(0)] string ArtifactSha256,
    [property: Id(1)] long ArtifactSize,
    [property: Id(2)] string Framework,
    [property: Id(3)] string Description,
    [property: Id(4)] string RegisteredBy,
    [property: Id(5)] IReadOnlyDictionary<string, double> OfflineMetrics,
    [property: Id(6)] string? ServingConfigJson);

/// <summary>The outcome of loading a version's artifact and running it on sample inputs.</summary>
[GenerateSerializer, Immutable]
public sealed record ValidationReport(
    [property: Id(0)] bool Passed,
    [property: Id(1)] string Detail,
    [property: Id(2)] IReadOnlyList<TensorSignature> Inputs,
    [property: Id(3)] IReadOnlyList<TensorSignature> Outputs,
    [property: Id(4)] IReadOnlyDictionary<int, double> LatencyMillisecondsByBatchSize);

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
    [property: Id(11)] string? ServingConfigJson);

[GenerateSerializer, Immutable]
public sealed record ModelInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string? ProductionVersion,
    [property: Id(2)] IReadOnlyList<ModelVersionInfo> Versions);

/// <summary>One entry of a model's append-only audit trail.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? Version,
    [property: Id(4)] string? From,
    [property: Id(5)] string? To,
    [property: Id(6)] string Reason);

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
