namespace MlopsAspire.Abstractions;

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
