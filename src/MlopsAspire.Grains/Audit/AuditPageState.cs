namespace MlopsAspire.Grains.Audit;

/// <summary>Persisted page of an audit trail. Versioned contract: fields are only added, never renamed.</summary>
[GenerateSerializer]
public sealed class AuditPageState<TEvent>
{
    [Id(0)] public List<TEvent> Events { get; set; } = [];
}
