using Mlops.V1;

namespace MlopsAspire.Cli.Tests;

/// <summary>What the Drift column of <c>mlops models stats</c> says of a version's last judged window.</summary>
public sealed class StatsDriftCellTests
{
    [Fact]
    public void The_most_drifted_judged_feature_is_shown_and_unjudged_ones_are_passed_over()
    {
        var stats = new VersionStats
        {
            HasReferenceProfile = true,
            Features = { Drift("tenure_months", double.NaN, "None"), Drift("support_calls", 0.66, "Alert"), Drift("usage_gb", 0.12, "Warning") },
            Predictions = { Drift("churn_probability", 0.015, "None") },
        };

        Assert.Equal("support_calls PSI 0.660 (Alert)", MonitoringCommands.DriftSummary(stats));
    }

    [Fact]
    public void A_judged_window_below_every_threshold_says_no_drift_rather_than_a_bare_none()
    {
        var stats = new VersionStats
        {
            HasReferenceProfile = true,
            Features = { Drift("support_calls", 0.044, "None"), Drift("tenure_months", 0.01, "None") },
        };

        Assert.Equal("support_calls PSI 0.044 (no drift)", MonitoringCommands.DriftSummary(stats));
    }

    [Fact]
    public void A_window_whose_features_had_too_few_binned_rows_is_insufficient_data_not_PSI_NaN()
    {
        // A window that closed while the reference profile was being built: enough rows, none binned on its bins.
        var stats = new VersionStats
        {
            HasReferenceProfile = true,
            Features = { Drift("tenure_months", double.NaN, "None"), Drift("usage_gb", double.NaN, "None") },
            Predictions = { Drift("churn_probability", double.NaN, "None") },
        };

        Assert.Equal("insufficient data", MonitoringCommands.DriftSummary(stats));
    }

    [Fact]
    public void A_version_without_a_judged_window_says_whether_it_has_a_profile()
    {
        Assert.Equal("no profile", MonitoringCommands.DriftSummary(new VersionStats()));
        Assert.Equal("-", MonitoringCommands.DriftSummary(new VersionStats { HasReferenceProfile = true }));
        Assert.Equal("insufficient data", MonitoringCommands.DriftSummary(new VersionStats { LastWindowInsufficient = true, HasReferenceProfile = true }));
    }

    private static FeatureDrift Drift(string name, double psi, string severity) => new() { Name = name, Rows = 1, Psi = psi, Severity = severity };
}
