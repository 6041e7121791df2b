using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Monitoring.Alerts;
using MlopsAspire.Monitoring.Drift;

namespace MlopsAspire.Monitoring.Mapping;

/// <summary>A version's <see cref="MonitoringPolicy"/> as the monitoring library judges with it, and checked by the library's rules.</summary>
public static class MonitoringPolicyThresholds
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public static void Validate(this MonitoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Window < TimeSpan.FromSeconds(1) || policy.Window > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"monitoring window must be between 1 s and 1 h; got {policy.Window}");
        }

        if (policy.Grace < TimeSpan.Zero || policy.Grace > policy.Window * 10)
        {
            throw new ArgumentException($"grace must be between 0 and 10 windows; got {policy.Grace}");
        }

        policy.ToAlertThresholds().Validate();

        if (policy.MinimumLabelledRows < 0 || policy.AccuracyWindows < 0)
        {
            throw new ArgumentException("the labelled rows and windows needed to judge accuracy cannot be negative");
        }

        policy.ToThresholds().Validate();
    }

    /// <summary>The alert limits of this policy.</summary>
    public static AlertThresholds ToAlertThresholds(this MonitoringPolicy policy) => new()
    {
        AccuracyDrop = policy.AccuracyDropAlert,
        AucDrop = policy.AucDropAlert,
        ErrorIncrease = policy.ErrorIncreaseAlert,
    };

    /// <summary>The drift thresholds of this policy.</summary>
    public static DriftThresholds ToThresholds(this MonitoringPolicy policy) => new()
    {
        PsiWarning = policy.PsiWarning,
        PsiAlert = policy.PsiAlert,
        JensenShannonWarning = policy.JensenShannonWarning,
        JensenShannonAlert = policy.JensenShannonAlert,
        ConsecutiveWarningsForAlert = policy.ConsecutiveWarningsForAlert,
        MinimumRows = policy.MinimumRows,
    };
}
