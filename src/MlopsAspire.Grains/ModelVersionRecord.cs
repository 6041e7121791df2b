using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains;

/// <summary>Persisted version record. Versioned contract: fields are only added, never renamed.</summary>
[GenerateSerializer]
public sealed class ModelVersionRecord
{
    [Id(0)] public int SchemaVersion { get; set; } = 1;
    [Id(1)] public ModelVersionInfo? Version { get; set; }
}
