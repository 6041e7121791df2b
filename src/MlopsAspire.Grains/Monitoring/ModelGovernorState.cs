using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>What a governor keeps: its policy and its last verdicts.</summary>
[GenerateSerializer]
public sealed class ModelGovernorState
{
    [Id(0)] public PromotionPolicyData? Policy { get; set; }

    [Id(1)] public List<GateReport> LastReports { get; set; } = [];
}
