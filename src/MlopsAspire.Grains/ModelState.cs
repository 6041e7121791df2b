using MlopsAspire.Abstractions;
using MlopsAspire.Grains.Audit;

namespace MlopsAspire.Grains;

/// <summary>Persisted model state. Versioned contract: fields are only added, never renamed.</summary>
[GenerateSerializer]
public sealed class ModelState
{
    [Id(0)] public int SchemaVersion { get; set; } = 2;
    [Id(1)] public List<ModelVersionEntry> Versions { get; set; } = [];
    [Id(2)] public string? ProductionVersion { get; set; }
    [Id(3)] public CanaryRoute? Canary { get; set; }
    [Id(4)] public List<ShadowRoute> Shadows { get; set; } = [];
    /// <summary>Earlier production versions, most recent last: where a rollback goes.</summary>
    [Id(5)] public List<string> ProductionHistory { get; set; } = [];
    /// <summary>The whole audit trail as earlier releases kept it; moved into <see cref="AuditTrail"/> on activation.</summary>
    [Id(6)] public List<AuditEvent> Audit { get; set; } = [];
    [Id(7)] public long Revision { get; set; }
    [Id(8)] public AuditTrailState<AuditEvent> AuditTrail { get; set; } = new();
}
