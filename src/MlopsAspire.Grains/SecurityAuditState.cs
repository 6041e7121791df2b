using MlopsAspire.Abstractions;
using MlopsAspire.Grains.Audit;

namespace MlopsAspire.Grains;

/// <summary>Persisted security trail. Versioned contract: fields are only added, never renamed.</summary>
[GenerateSerializer]
public sealed class SecurityAuditState
{
    /// <summary>The whole trail as earlier releases kept it; moved into <see cref="Trail"/> on activation.</summary>
    [Id(0)] public List<SecurityAuditEvent> Events { get; set; } = [];

    [Id(1)] public AuditTrailState<SecurityAuditEvent> Trail { get; set; } = new();
}
