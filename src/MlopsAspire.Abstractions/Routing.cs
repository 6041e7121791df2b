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
