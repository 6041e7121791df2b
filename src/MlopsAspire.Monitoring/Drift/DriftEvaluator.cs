using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Drift;

/// <summary>
/// Judges windows one after another against a reference profile. Keeps, per feature, how many windows in a
/// row were at warning level, so a sustained warning becomes an alert (<see cref="DriftThresholds"/>).
/// </summary>
public sealed class DriftEvaluator(ReferenceProfile profile, DriftThresholds? thresholds = null)
{
    private readonly DriftThresholds _thresholds = thresholds ?? DriftThresholds.Default;
    private readonly Dictionary<string, int> _consecutiveWarnings = new(StringComparer.Ordinal);

    public ReferenceProfile Profile { get; } = profile;

    /// <summary>Windows in a row at warning level or worse, per "feature:NAME" / "prediction:NAME".</summary>
    public IReadOnlyDictionary<string, int> ConsecutiveWarnings => _consecutiveWarnings;

    /// <summary>Restores <see cref="ConsecutiveWarnings"/> kept in storage.</summary>
    public void RestoreConsecutiveWarnings(IReadOnlyDictionary<string, int> streaks)
    {
        foreach (var (key, streak) in streaks)
        {
            _consecutiveWarnings[key] = streak;
        }
    }

    /// <summary>Evaluates the next window (call in window order).</summary>
    public DriftReport Evaluate(DateTimeOffset windowStart, PredictionStatistics window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var features = Evaluate(Profile.Features, window.Features, "feature:");
        var predictions = Evaluate(Profile.Predictions, window.Predictions, "prediction:");
        return new DriftReport(windowStart, features, predictions, window.NonFiniteInputs, window.OutOfRangeInputs);
    }

    /// <summary>The metrics of one live histogram against one reference profile, without any window memory.</summary>
    public static FeatureDrift Measure(FeatureProfile reference, BinnedHistogram live, DriftThresholds thresholds)
    {
        var rows = live.Total;
        var psi = DriftMetrics.PopulationStabilityIndex(reference.ReferenceCounts, live.Counts);
        var js = DriftMetrics.JensenShannonDistance(reference.ReferenceCounts, live.Counts);
        var ks = DriftMetrics.KolmogorovSmirnov(reference.ReferenceCounts, live.Counts);
        var referenceRows = reference.ReferenceCounts.Sum();
        var ksPValue = DriftMetrics.KolmogorovSmirnovPValue(ks, referenceRows, rows);
        var wasserstein = DriftMetrics.Wasserstein(reference.ReferenceCounts, live.Counts, reference.Edges, reference.StandardDeviation);
        var severity = rows < thresholds.MinimumRows
            ? DriftSeverity.None
            : psi >= thresholds.PsiAlert || js >= thresholds.JensenShannonAlert
                ? DriftSeverity.Alert
                : psi >= thresholds.PsiWarning || js >= thresholds.JensenShannonWarning
                    ? DriftSeverity.Warning
                    : DriftSeverity.None;
        return new FeatureDrift(reference.Name, rows, psi, js, ks, ksPValue, wasserstein, severity, severity);
    }

    private List<FeatureDrift> Evaluate(IReadOnlyList<FeatureProfile> references, BinnedHistogram[] live, string keyPrefix)
    {
        var results = new List<FeatureDrift>(references.Count);
        for (var i = 0; i < references.Count && i < live.Length; i++)
        {
            var key = keyPrefix + references[i].Name;
            if (live[i].Total < _thresholds.MinimumRows)
            {
                // Too few rows: neither evidence of drift nor of its end, so no metric is reported either (a PSI of an
                // almost empty histogram is large and meaningless).
                results.Add(new FeatureDrift(references[i].Name, live[i].Total, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, DriftSeverity.None, DriftSeverity.None));
                continue;
            }

            var drift = Measure(references[i], live[i], _thresholds);

            var streak = drift.WindowSeverity >= DriftSeverity.Warning ? _consecutiveWarnings.GetValueOrDefault(key) + 1 : 0;
            _consecutiveWarnings[key] = streak;
            var severity = drift.WindowSeverity == DriftSeverity.Warning && streak >= _thresholds.ConsecutiveWarningsForAlert
                ? DriftSeverity.Alert
                : drift.WindowSeverity;
            results.Add(drift with { Severity = severity });
        }

        return results;
    }
}
