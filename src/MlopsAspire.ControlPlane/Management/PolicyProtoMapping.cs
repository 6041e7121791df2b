using Google.Protobuf.WellKnownTypes;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using Proto = Mlops.V1;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Between the policies as grains hold them and their <c>mlops.v1</c> messages: the only place either is copied into
/// the other. Each field is copied under its own name; a test round-trips every field with a value that is not its
/// default, so a field added to one side and not copied here fails it.
/// </summary>
public static class PolicyProtoMapping
{
    public static Proto.PromotionPolicy ToProto(this PromotionPolicyData policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var message = new Proto.PromotionPolicy
        {
            MinimumRows = policy.MinimumRows,
            MinimumDuration = Duration.FromTimeSpan(policy.MinimumDuration),
            MinimumLabelledRows = policy.MinimumLabelledRows,
            AutoPromote = policy.AutoPromote,
            AutoRollback = policy.AutoRollback,
            EvaluationSpan = Duration.FromTimeSpan(policy.EvaluationSpan),
        };
        if (policy.MinimumShadowAgreement is { } agreement)
        {
            message.MinimumShadowAgreement = agreement;
        }

        if (policy.MaximumMeanScoreDelta is { } delta)
        {
            message.MaximumMeanScoreDelta = delta;
        }

        if (policy.MaximumP99Ratio is { } ratio)
        {
            message.MaximumP99Ratio = ratio;
        }

        if (policy.MaximumErrorRate is { } errors)
        {
            message.MaximumErrorRate = errors;
        }

        if (policy.MaximumAccuracyDrop is { } drop)
        {
            message.MaximumAccuracyDrop = drop;
        }

        return message;
    }

    /// <summary>The policy a caller sent: an unset optional limit is switched off, an unset evaluation span is one hour.</summary>
    public static PromotionPolicyData FromProto(Proto.PromotionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new PromotionPolicyData(
            policy.MinimumRows,
            policy.MinimumDuration?.ToTimeSpan() ?? TimeSpan.Zero,
            policy.HasMinimumShadowAgreement ? policy.MinimumShadowAgreement : null,
            policy.HasMaximumMeanScoreDelta ? policy.MaximumMeanScoreDelta : null,
            policy.HasMaximumP99Ratio ? policy.MaximumP99Ratio : null,
            policy.HasMaximumErrorRate ? policy.MaximumErrorRate : null,
            policy.HasMaximumAccuracyDrop ? policy.MaximumAccuracyDrop : null,
            policy.MinimumLabelledRows,
            policy.AutoPromote,
            policy.AutoRollback,
            policy.EvaluationSpan is null ? TimeSpan.FromHours(1) : policy.EvaluationSpan.ToTimeSpan());
    }

    public static Proto.RetrainingPolicy ToProto(this RetrainingPolicyData policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var message = new Proto.RetrainingPolicy
        {
            Enabled = policy.Enabled,
            OnAccuracyAlert = policy.OnAccuracyAlert,
            OnDriftAlert = policy.OnDriftAlert,
            Cooldown = Duration.FromTimeSpan(policy.Cooldown),
            DataWindow = Duration.FromTimeSpan(policy.DataWindow),
            MinimumRows = policy.MinimumRows,
            LabelWait = Duration.FromTimeSpan(policy.LabelWait),
            ShadowSampleRate = policy.ShadowSampleRate,
        };
        if (policy.Schedule is { } schedule)
        {
            message.Schedule = Duration.FromTimeSpan(schedule);
        }

        return message;
    }

    /// <summary>The policy a caller sent: an unset schedule is none, any other unset (zero) field takes its default.</summary>
    public static RetrainingPolicyData FromProto(Proto.RetrainingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var defaults = RetrainingPolicyData.Default;
        return new RetrainingPolicyData(
            policy.Enabled,
            policy.OnAccuracyAlert,
            policy.OnDriftAlert,
            policy.Schedule?.ToTimeSpan(),
            policy.Cooldown?.ToTimeSpan() ?? defaults.Cooldown,
            policy.DataWindow?.ToTimeSpan() ?? defaults.DataWindow,
            policy.MinimumRows == 0 ? defaults.MinimumRows : policy.MinimumRows,
            policy.LabelWait?.ToTimeSpan() ?? defaults.LabelWait,
            policy.ShadowSampleRate == 0 ? defaults.ShadowSampleRate : policy.ShadowSampleRate);
    }
}
