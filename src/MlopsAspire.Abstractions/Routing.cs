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

/// <summary>One model: the version that answers requests without a pinned version, and every version a replica should load.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelRoute(
    [property: Id(0)] string ModelName,
    [property: Id(1)] string ProductionVersion,
    [property: Id(2)] IReadOnlyList<ServedVersion> Versions);

/// <summary>A version a replica loads: its artifact (content address) and optional serving configuration (JSON).</summary>
[GenerateSerializer, Immutable]
public sealed record ServedVersion(
    [property: Id(0)] string Version,
    [property: Id(1)] string ArtifactSha256,
    [property: Id(2)] long ArtifactSize,
    [property: Id(3)] string? ServingConfigJson);
