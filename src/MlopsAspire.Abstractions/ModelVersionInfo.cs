namespace MlopsAspire.Abstractions;

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
