using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains;

/// <summary>Persisted registry: model names and the routes they publish. Versioned contract: fields are only added.</summary>
[GenerateSerializer]
public sealed class ModelRegistryState
{
    [Id(0)] public long Stamp { get; set; }
    [Id(1)] public Dictionary<string, ModelRoute> Routes { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public SortedSet<string> ModelNames { get; set; } = new(StringComparer.Ordinal);
}
