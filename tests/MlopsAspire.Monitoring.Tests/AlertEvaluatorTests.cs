using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Alerts;
using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Tests;

/// <summary>Alert decisions, judged without a silo: drift, data quality, and live metrics by task.</summary>
public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> None = [];

    [Fact]
    public void Drift_at_alert_severity_raises_and_a_calm_window_clears_by_feature_and_prediction()
    {
        var evaluator = new AlertEvaluator();
        var drift = new DriftReport(Start, [Feature("temp_max", DriftSeverity.Alert), Feature("wind", DriftSeverity.Warning)], [Feature("p", DriftSeverity.Alert)], 0, 0);

        var raised = evaluator.JudgeWindow(Start, drift, Quality(), None);

        Assert.Equal([(AlertKind.FeatureDrift, "temp_max", true), (AlertKind.PredictionDrift, "p", true)], raised.Select(d => (d.Kind, d.Subject, d.Raise)));
        Assert.Equal("feature_drift:temp_max", raised[0].Key);
        Assert.StartsWith("window 2026-12-06 12:00:00Z: PSI 0.500", raised[0].Detail);

        var calm = new DriftReport(Start, [Feature("temp_max", DriftSeverity.None)], [Feature("p", DriftSeverity.Warning)], 0, 0);
        var cleared = evaluator.JudgeWindow(Start, calm, Quality(), raised.Select(d => d.Key).ToHashSet());
        var decision = Assert.Single(cleared);
        Assert.Equal((AlertKind.FeatureDrift, "temp_max", false), (decision.Kind, decision.Subject, decision.Raise));
    }

    [Fact]
    public void A_window_without_a_verdict_changes_no_drift_alert_and_a_feature_without_enough_rows_clears_nothing()
    {
        var evaluator = new AlertEvaluator();
        HashSet<string> active = ["feature_drift:temp_max"];

        Assert.Empty(evaluator.JudgeWindow(Start, null, Quality(), active));
        var insufficient = new DriftReport(Start, [Feature("temp_max", DriftSeverity.None) with { Rows = 3, PopulationStabilityIndex = double.NaN }], [], 0, 0);
        Assert.Empty(evaluator.JudgeWindow(Start, insufficient, Quality(), active));
    }

    [Fact]
    public void Data_quality_alerts_on_non_finite_values_and_on_values_outside_declared_ranges_only_when_ranges_are_declared()
    {
        var evaluator = new AlertEvaluator();
        var broken = new WindowQuality(Rows: 1000, Values: 3000, NonFiniteInputs: 60, OutOfRangeInputs: 300, OutOfRangeChecked: true);
        Assert.Equal(
            [("non_finite", true), ("out_of_range", true)],
            evaluator.JudgeWindow(Start, null, broken, None).Select(d => (d.Subject, d.Raise)));
        Assert.Equal(["non_finite"], evaluator.JudgeWindow(Start, null, broken with { OutOfRangeChecked = false }, None).Select(d => d.Subject));

        HashSet<string> active = ["data_quality:non_finite", "data_quality:out_of_range"];
        Assert.Equal(
            [("non_finite", false), ("out_of_range", false)],
            evaluator.JudgeWindow(Start, null, Quality(), active).Select(d => (d.Subject, d.Raise)));
    }

    [Theory]
    [InlineData(ModelTask.BinaryClassification, 0.95, 0.92, true)]
    [InlineData(ModelTask.BinaryClassification, 0.95, 0.94, false)]
    [InlineData(ModelTask.MulticlassClassification, 0.80, 0.77, true)]
    [InlineData(ModelTask.MulticlassClassification, 0.80, 0.79, false)]
    public void Classifiers_alert_when_accuracy_drops_by_the_limit(ModelTask task, double before, double now, bool alert)
    {
        var evaluator = new AlertEvaluator(new AlertThresholds { AccuracyDrop = 0.02 });
        var decision = evaluator.JudgeOutcomes(task, Metrics(accuracy: before, macroF1: before), Metrics(accuracy: now, macroF1: now), Start, active: false);
        Assert.Equal(alert, decision is { Raise: true, Kind: AlertKind.Accuracy });
    }

    [Fact]
    public void A_regression_alerts_when_its_error_grows_by_the_relative_limit_and_clears_under_half_of_it()
    {
        var evaluator = new AlertEvaluator(new AlertThresholds { ErrorIncrease = 0.25 });
        var reference = Metrics(mae: 2.0, rmse: 2.5);

        var raised = evaluator.JudgeOutcomes(ModelTask.Regression, reference, Metrics(mae: 2.6, rmse: 3.1), Start, active: false);
        Assert.NotNull(raised);
        Assert.True(raised.Raise);
        Assert.Contains("MAE 2.6, RMSE 3.1 (reference MAE 2, RMSE 2.5)", raised.Detail);
        Assert.Null(evaluator.JudgeOutcomes(ModelTask.Regression, reference, Metrics(mae: 2.4, rmse: 3), Start, active: true));
        Assert.False(evaluator.JudgeOutcomes(ModelTask.Regression, reference, Metrics(mae: 2.1, rmse: 2.6), Start, active: true)!.Raise);
        Assert.Null(evaluator.JudgeOutcomes(ModelTask.Other, reference, Metrics(mae: 9), Start, active: false));
    }

    [Fact]
    public void A_drift_evaluator_reports_no_metric_for_a_feature_with_too_few_rows_and_keeps_its_streak()
    {
        var profile = ReferenceProfile.FromRows(["a"], [.. Enumerable.Range(0, 1000).Select(i => new[] { (float)(i % 100) })]);
        var evaluator = new DriftEvaluator(profile, DriftThresholds.Default with { MinimumRows = 200 });
        var window = new PredictionStatistics(profile);
        for (var i = 0; i < 10; i++)
        {
            window.Features[0].Add(500);
        }

        var drift = evaluator.Evaluate(Start, window).Features.Single();

        Assert.Equal(10, drift.Rows);
        Assert.True(double.IsNaN(drift.PopulationStabilityIndex));
        Assert.Equal(DriftSeverity.None, drift.Severity);
        Assert.Empty(evaluator.ConsecutiveWarnings);
    }

    private static FeatureDrift Feature(string name, DriftSeverity severity) =>
        new(name, 1000, severity == DriftSeverity.None ? 0.01 : 0.5, 0.3, 0.2, 0.001, 0.4, severity, severity);

    private static WindowQuality Quality() => new(1000, 3000, 0, 0, true);

    private static OutcomeMetrics Metrics(double accuracy = double.NaN, double auc = double.NaN, double macroF1 = double.NaN, double mae = double.NaN, double rmse = double.NaN) =>
        new(5000, accuracy, auc, double.NaN, macroF1, mae, rmse);
}
