using MlopsAspire.Abstractions.Retraining;

namespace MlopsAspire.Grains.Retraining;

/// <summary>What a retraining grain keeps: its policy and its runs, oldest first.</summary>
[GenerateSerializer]
public sealed class ModelRetrainingState
{
    [Id(0)] public RetrainingPolicyData? Policy { get; set; }

    [Id(1)] public List<RetrainingRun> Runs { get; set; } = [];

    [Id(2)] public DateTimeOffset? ScheduleStartedAt { get; set; }

    /// <summary>The production version whose alerts were last answered "no retraining configured" (said once per version).</summary>
    [Id(3)] public string? NotConfiguredAuditedFor { get; set; }
}
