namespace MlopsAspire.Abstractions;

/// <summary>
/// What every inference replica serves: each model's versions and the aliases that route to them.
/// The stamp grows with every change, so a replica applies a table only if it is newer than its own.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RoutingTable(
    [property: Id(0)] long Stamp,
    [property: Id(1)] IReadOnlyList<ModelRoute> Models)
{
    public static RoutingTable Empty { get; } = new(0, []);
}

/// <summary>
/// One model: the version that answers requests without a pinned version, every version a replica should
/// load, and the aliases that split or copy traffic. A replica that ignores <see cref="Canary"/> and
/// <see cref="Shadows"/> still serves correctly: all traffic goes to production.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ModelRoute(
    [property: Id(0)] string ModelName,
    [property: Id(1)] string ProductionVersion,
    [property: Id(2)] IReadOnlyList<ServedVersion> Versions,
    [property: Id(3)] CanaryRoute? Canary = null,
    [property: Id(4)] IReadOnlyList<ShadowRoute>? Shadows = null)
{
    // Value equality over the lists too: the registry bumps its stamp only when a route really changes.
    public bool Equals(ModelRoute? other) =>
        other is not null
        && ModelName == other.ModelName
        && ProductionVersion == other.ProductionVersion
        && Versions.SequenceEqual(other.Versions)
        && Equals(Canary, other.Canary)
        && (Shadows ?? []).SequenceEqual(other.Shadows ?? []);

    public override int GetHashCode() => HashCode.Combine(ModelName, ProductionVersion, Versions.Count, Canary);
}

/// <summary>
/// The canary version and the share of unpinned requests it answers, in whole percent (0-100); the rest
/// goes to production. Weight 0 keeps the version loaded without sending it traffic.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CanaryRoute(
    [property: Id(0)] string Version,
    [property: Id(1)] int WeightPercent);

/// <summary>
/// A shadow version: the fraction (0-1) of production requests copied to it. Its answers are compared and
/// recorded, never returned to the caller.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShadowRoute(
    [property: Id(0)] string Version,
    [property: Id(1)] double SampleRate);

/// <summary>Why a replica loads a version.</summary>
public enum ServedVersionRole
{
    Production = 0,
    Canary = 1,
    Shadow = 2,
}

/// <summary>A version a replica loads: its artifact (content address), optional serving configuration (JSON) and role.</summary>
[GenerateSerializer, Immutable]
public sealed record ServedVersion(
    [property: Id(0)] string Version,
    [property: Id(1)] string ArtifactSha256,
    [property: Id(2)] long ArtifactSize,
    [property: Id(3)] string? ServingConfigJson,
    [property: Id(4)] ServedVersionRole Role = ServedVersionRole.Production);
