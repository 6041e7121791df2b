using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains;

/// <summary>What the model keeps of each version to decide transitions and build routes; the rest lives in its version grain.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelVersionEntry(
    [property: Id(0)] string Version,
    [property: Id(1)] ModelVersionState State,
    [property: Id(2)] string ArtifactSha256,
    [property: Id(3)] long ArtifactSize,
    [property: Id(4)] string? ServingConfigJson);
