using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Alerts;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>
/// OpenTelemetry gauges of monitoring (meter <c>MlopsAspire.Monitoring</c>), the latest judged window per model
/// version: PSI and Jensen-Shannon per feature, shadow agreement, p99 latency, error rate, live accuracy and AUC
/// from feedback, and active alerts.
/// Grains publish values here after judging a window; the exporter reads them when it collects.
/// </summary>
public static class MonitoringInstruments
{
    public const string MeterName = "MlopsAspire.Monitoring";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<(string Model, string Version, string Feature), double> Psi = new();
    private static readonly ConcurrentDictionary<(string Model, string Version, string Feature), double> JensenShannon = new();
    private static readonly ConcurrentDictionary<(string Model, string Version, string Shadow), double> Agreement = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> P99 = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> ErrorRate = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), int> ActiveAlerts = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> Accuracy = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> Auc = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> MacroF1 = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> MeanAbsoluteError = new();
    private static readonly ConcurrentDictionary<(string Model, string Version), double> RootMeanSquaredError = new();

    private static readonly Counter<long> AlertsRaised = Meter.CreateCounter<long>(
        "mlops.monitoring.alerts", unit: "{alert}", description: "Monitoring alerts raised, by model, version, kind and subject.");

    static MonitoringInstruments()
    {
        Meter.CreateObservableGauge("mlops.monitoring.psi", () => Observe(Psi, "feature"), description: "Population stability index of the last judged window, per feature.");
        Meter.CreateObservableGauge("mlops.monitoring.js_distance", () => Observe(JensenShannon, "feature"), description: "Jensen-Shannon distance of the last judged window, per feature.");
        Meter.CreateObservableGauge("mlops.monitoring.shadow_agreement", () => Observe(Agreement, "shadow"), description: "Share of rows where a shadow version agreed with production.");
        Meter.CreateObservableGauge("mlops.monitoring.latency.p99", () => Observe(P99), unit: "ms", description: "p99 request latency of the last judged window.");
        Meter.CreateObservableGauge("mlops.monitoring.error_rate", () => Observe(ErrorRate), description: "Failed share of requests in the last judged window.");
        Meter.CreateObservableGauge("mlops.monitoring.accuracy", () => Observe(Accuracy), description: "Accuracy from feedback over the recent windows.");
        Meter.CreateObservableGauge("mlops.monitoring.auc", () => Observe(Auc), description: "AUC from feedback over the recent windows (binary classifiers).");
        Meter.CreateObservableGauge("mlops.monitoring.macro_f1", () => Observe(MacroF1), description: "Macro-averaged F1 from feedback over the recent windows (multiclass classifiers).");
        Meter.CreateObservableGauge("mlops.monitoring.mae", () => Observe(MeanAbsoluteError), description: "Mean absolute error from feedback over the recent windows (regressions).");
        Meter.CreateObservableGauge("mlops.monitoring.rmse", () => Observe(RootMeanSquaredError), description: "Root mean squared error from feedback over the recent windows (regressions).");
        Meter.CreateObservableGauge(
            "mlops.monitoring.active_alerts",
            () => ActiveAlerts.Select(pair => new Measurement<int>(pair.Value, new TagList { { "model", pair.Key.Model }, { "version", pair.Key.Version } })),
            description: "Alerts currently raised for a model version.");
    }

    public static void Publish(string model, string version, Abstractions.Monitoring.WindowReport report, int activeAlerts)
    {
        foreach (var drift in report.Features.Concat(report.Predictions).Where(drift => !double.IsNaN(drift.PopulationStabilityIndex)))
        {
            Psi[(model, version, drift.Name)] = drift.PopulationStabilityIndex;
            JensenShannon[(model, version, drift.Name)] = drift.JensenShannonDistance;
        }

        foreach (var (shadow, comparison) in report.Shadows)
        {
            if (comparison.Compared > 0)
            {
                Agreement[(model, version, shadow)] = comparison.Agreement;
            }
        }

        if (!double.IsNaN(report.P99Milliseconds))
        {
            P99[(model, version)] = report.P99Milliseconds;
        }

        ErrorRate[(model, version)] = report.ErrorRate;
        ActiveAlerts[(model, version)] = activeAlerts;
    }

    /// <summary>Live metrics from feedback, as the accuracy check last judged them; a task's missing metrics stay unpublished.</summary>
    public static void PublishOutcomes(string model, string version, OutcomeMetrics metrics)
    {
        Set(Accuracy, model, version, metrics.Accuracy);
        Set(Auc, model, version, metrics.Auc);
        Set(MacroF1, model, version, metrics.MacroF1);
        Set(MeanAbsoluteError, model, version, metrics.MeanAbsoluteError);
        Set(RootMeanSquaredError, model, version, metrics.RootMeanSquaredError);
    }

    public static void RecordAlert(string model, string version, AlertKind kind, string subject) =>
        AlertsRaised.Add(1, new TagList { { "model", model }, { "version", version }, { "kind", kind.Name() }, { "subject", subject } });

    private static void Set(ConcurrentDictionary<(string Model, string Version), double> gauge, string model, string version, double value)
    {
        if (double.IsFinite(value))
        {
            gauge[(model, version)] = value;
        }
    }

    private static IEnumerable<Measurement<double>> Observe(ConcurrentDictionary<(string Model, string Version), double> values) =>
        values.Select(pair => new Measurement<double>(pair.Value, new TagList { { "model", pair.Key.Model }, { "version", pair.Key.Version } }));

    private static IEnumerable<Measurement<double>> Observe(ConcurrentDictionary<(string Model, string Version, string Feature), double> values, string thirdTag) =>
        values.Select(pair => new Measurement<double>(
            pair.Value,
            new TagList { { "model", pair.Key.Model }, { "version", pair.Key.Version }, { thirdTag, pair.Key.Feature } }));
}
