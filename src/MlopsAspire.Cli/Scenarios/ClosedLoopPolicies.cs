using Google.Protobuf.WellKnownTypes;
using Mlops.V1;

namespace MlopsAspire.Cli.Scenarios;

/// <summary>
/// The retraining and promotion policies that let a model heal itself: retrain on an accuracy alert from rows
/// labelled since the alert, shadow the candidate on all traffic, and promote it automatically once, on the same
/// requests, it is at least as accurate as production. The drift scenario applies them before it starts.
/// </summary>
public sealed record ClosedLoopPolicies
{
    public int MinimumTrainingRows { get; init; } = 6000;

    public TimeSpan LabelWait { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan RetrainingCooldown { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan DataWindow { get; init; } = TimeSpan.FromMinutes(30);

    public long GateMinimumRows { get; init; } = 1000;

    public long GateMinimumLabelledRows { get; init; } = 1500;

    public TimeSpan GateMinimumDuration { get; init; } = TimeSpan.FromSeconds(6);

    public TimeSpan GateEvaluationSpan { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Sets both policies of <paramref name="modelName"/> (an operator key is needed).</summary>
    public async Task ApplyAsync(
        ModelManagement.ModelManagementClient management, ModelMonitoring.ModelMonitoringClient monitoring, string modelName, CancellationToken cancellationToken)
    {
        await management.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
        {
            Name = modelName,
            Policy = new RetrainingPolicy
            {
                Enabled = true,
                OnAccuracyAlert = true,
                OnDriftAlert = false,
                Cooldown = Duration.FromTimeSpan(RetrainingCooldown),
                DataWindow = Duration.FromTimeSpan(DataWindow),
                MinimumRows = MinimumTrainingRows,
                LabelWait = Duration.FromTimeSpan(LabelWait),
                ShadowSampleRate = 1.0,
            },
        }, cancellationToken: cancellationToken);
        await monitoring.SetPromotionPolicyAsync(new SetPromotionPolicyRequest
        {
            ModelName = modelName,
            Policy = new PromotionPolicy
            {
                MinimumRows = GateMinimumRows,
                MinimumDuration = Duration.FromTimeSpan(GateMinimumDuration),
                MaximumErrorRate = 0.01,
                // On the same requests, the candidate may not be less accurate than production. Agreement with
                // production is no gate here: after concept drift a better model must disagree with it.
                MaximumAccuracyDrop = 0.0,
                MinimumLabelledRows = GateMinimumLabelledRows,
                AutoPromote = true,
                AutoRollback = false,
                EvaluationSpan = Duration.FromTimeSpan(GateEvaluationSpan),
            },
        }, cancellationToken: cancellationToken);
    }
}
