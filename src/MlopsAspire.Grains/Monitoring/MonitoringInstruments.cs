using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

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
        Meter.CreateObservableGauge("mlops.monitoring.auc", () => Observe(Auc), description: "AUC from feedback over the recent windows.");
        Meter.CreateObservableGauge(
            "mlops.monitoring.active_alerts",
            () => ActiveAlerts.Select(pair => new Measurement<int>(pair.Value, new TagList { { "model", pair.Key.Model }, { "version", pair.Key.Version } })),
            description: "Alerts currently raised for a model version.");
    }

    public static void Publish(string model, string version, Abstractions.Monitoring.WindowReport report, int activeAlerts)
    {
        foreach (var drift in report.Features.Concat(report.Predictions))
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

    /// <summary>Live accuracy and AUC from feedback, as the accuracy check last judged them.</summary>
    public static void PublishOutcomes(string model, string version, double accuracy, double auc)
    {
        Accuracy[(model, version)] = accuracy;
        if (!double.IsNaN(auc))
        {
            Auc[(model, version)] = auc;
        }
    }

    public static void RecordAlert(string model, string version, string kind, string subject) =>
        AlertsRaised.Add(1, new TagList { { "model", model }, { "version", version }, { "kind", kind }, { "subject", subject } });

    private static IEnumerable<Measurement<double>> Observe(ConcurrentDictionary<(string Model, string Version), double> values) =>
        values.Select(pair => new Measurement<double>(pair.Value, new TagList { { "model", pair.Key.Model }, { "version", pair.Key.Version } }));

    private static IEnumerable<Measurement<double>> Observe(ConcurrentDictionary<(string Model, string Version, string Feature), double> values, string thirdTag) =>
        values.Select(pair => new Measurement<double>(
            pair.Value,
            new TagList { { "model", pair.Key.Model }, { "version", pair.Key.Version }, { thirdTag, pair.Key.Feature } }));
}
