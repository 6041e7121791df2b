using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.FraudData;

namespace MlopsAspire.Monitoring.Tests;

/// <summary>Drift detection on the fraud generator's traffic, judged window by window as monitoring does.</summary>
public sealed class DriftDetectionTests
{
    private const int RowsPerWindow = 2000;

    private static readonly Lazy<ReferenceProfile> Reference = new(() =>
        ReferenceProfile.FromRows(
            FraudFeatures.Names,
            [.. new FraudDataGenerator(new FraudDataOptions { Seed = 1 }).Generate(20_000).Select(row => row.Features)]));

    public static TheoryData<string> ContinuousFeatures => new()
    {
        FraudFeatures.Amount,
        FraudFeatures.DistanceFromHomeKm,
        FraudFeatures.AccountAgeDays,
        FraudFeatures.CustomerAgeYears,
        FraudFeatures.AmountToCustomerAverageRatio,
        FraudFeatures.TransactionCountLast24h,
    };

    [Theory]
    [MemberData(nameof(ContinuousFeatures))]
    public void Shifting_one_feature_by_half_a_standard_deviation_alerts_within_three_windows(string feature)
    {
        var evaluator = new DriftEvaluator(Reference.Value);
        var generator = new FraudDataGenerator(new FraudDataOptions
        {
            Seed = 7,
            FeatureShift = new Dictionary<string, double> { [feature] = 0.5 },
        });

        var alertedAt = -1;
        for (var window = 0; window < 3 && alertedAt < 0; window++)
        {
            var report = evaluator.Evaluate(DateTimeOffset.UnixEpoch.AddMinutes(window), Window(generator));
            var drift = report.Features.Single(f => f.Name == feature);
            if (drift.Severity == DriftSeverity.Alert)
            {
                alertedAt = window;
            }
        }

        Assert.True(alertedAt >= 0, $"no alert for '{feature}' within 3 windows");
    }

    [Fact]
    public void Unshifted_traffic_raises_no_alert_in_a_hundred_windows()
    {
        var evaluator = new DriftEvaluator(Reference.Value);
        var generator = new FraudDataGenerator(new FraudDataOptions { Seed = 8 });
        var worstPsi = 0.0;
        for (var window = 0; window < 100; window++)
        {
            var report = evaluator.Evaluate(DateTimeOffset.UnixEpoch.AddMinutes(window), Window(generator));
            Assert.NotEqual(DriftSeverity.Alert, report.Severity);
            worstPsi = Math.Max(worstPsi, report.Features.Max(f => f.PopulationStabilityIndex));
        }

        Assert.True(worstPsi < DriftThresholds.Default.PsiWarning, $"largest PSI on undrifted traffic was {worstPsi}");
    }

    private static PredictionStatistics Window(FraudDataGenerator generator)
    {
        var statistics = new PredictionStatistics(Reference.Value);
        foreach (var row in generator.Generate(RowsPerWindow))
        {
            for (var i = 0; i < row.Features.Length; i++)
            {
                statistics.Features[i].Add(row.Features[i]);
            }
        }

        return statistics;
    }
}
