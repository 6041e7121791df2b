using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Drift;

namespace MlopsAspire.Monitoring.Alerts;

/// <summary>
/// Decides a version's alerts, one judged window or one span of feedback at a time: which to raise and which active
/// ones to clear. Windows with too few rows are never judged. Pure: the monitoring grain keeps the active alerts and
/// records the decisions.
/// </summary>
public sealed class AlertEvaluator(AlertThresholds? thresholds = null)
{
    public const string NonFiniteSubject = "non_finite";
    public const string OutOfRangeSubject = "out_of_range";
    public const string OutcomesSubject = "outcomes";

    private readonly AlertThresholds _thresholds = thresholds ?? AlertThresholds.Default;

    /// <summary>
    /// Drift alerts from a window's report (raised at alert severity, cleared when back to none on enough rows) and data
    /// quality alerts from its values. A window judged as insufficient data (<paramref name="drift"/> null) changes only
    /// data quality, and only when it has values.
    /// </summary>
    public IReadOnlyList<AlertDecision> JudgeWindow(DateTimeOffset windowStart, DriftReport? drift, WindowQuality quality, IReadOnlySet<string> active)
    {
        ArgumentNullException.ThrowIfNull(quality);
        ArgumentNullException.ThrowIfNull(active);
        var decisions = new List<AlertDecision>();
        if (drift is not null)
        {
            foreach (var (kind, feature) in drift.Features.Select(f => (AlertKind.FeatureDrift, f)).Concat(drift.Predictions.Select(p => (AlertKind.PredictionDrift, p))))
            {
                var isActive = active.Contains(AlertDecision.KeyOf(kind, feature.Name));
                if (feature.Severity == DriftSeverity.Alert && !isActive)
                {
                    decisions.Add(new AlertDecision(kind, feature.Name, true,
                        $"window {windowStart:u}: PSI {feature.PopulationStabilityIndex:F3}, JS {feature.JensenShannonDistance:F3}, KS {feature.KolmogorovSmirnov:F3} over {feature.Rows} rows"));
                }
                else if (feature.Severity == DriftSeverity.None && isActive && feature.Rows > 0 && !double.IsNaN(feature.PopulationStabilityIndex))
                {
                    decisions.Add(new AlertDecision(kind, feature.Name, false,
                        $"window {windowStart:u}: back within thresholds (PSI {feature.PopulationStabilityIndex:F3})"));
                }
            }
        }

        if (quality.Values > 0)
        {
            var nonFinite = (double)quality.NonFiniteInputs / quality.Values;
            Share(decisions, active, NonFiniteSubject, nonFinite, _thresholds.NonFiniteShare, "of input values were NaN or infinite");
            if (quality.OutOfRangeChecked)
            {
                var outOfRange = (double)quality.OutOfRangeInputs / quality.Values;
                Share(decisions, active, OutOfRangeSubject, outOfRange, _thresholds.OutOfRangeShare, "of input values were outside their declared range or categories");
            }
        }

        return decisions;
    }

    /// <summary>
    /// Concept drift shows only in ground truth: compares the recent span's metrics with the version's reference (its
    /// first labelled rows) by the task's measure, and raises an accuracy alert when one fell by its limit (cleared
    /// once all are back within half of it). Null when nothing changes.
    /// </summary>
    public AlertDecision? JudgeOutcomes(ModelTask task, OutcomeMetrics reference, OutcomeMetrics recent, DateTimeOffset since, bool active)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(recent);
        var measures = Measures(task, reference, recent);
        if (measures.Count == 0)
        {
            return null;
        }

        var breached = measures.Any(measure => measure.Limit > 0 && measure.Worsening >= measure.Limit);
        var recovered = measures.All(measure => measure.Limit <= 0 || measure.Worsening < measure.Limit / 2);
        var detail = $"since {since:u}: {recent.Describe(task)} (reference {reference.Describe(task)}) over {recent.Rows} labelled rows";
        return breached && !active ? new AlertDecision(AlertKind.Accuracy, OutcomesSubject, true, detail)
            : recovered && active ? new AlertDecision(AlertKind.Accuracy, OutcomesSubject, false, $"back within limits {detail}")
            : null;
    }

    /// <summary>How much worse each of the task's measures got (NaN-safe: a measure missing on either side is skipped).</summary>
    private List<(double Worsening, double Limit)> Measures(ModelTask task, OutcomeMetrics reference, OutcomeMetrics recent)
    {
        var measures = new List<(double, double)>();
        void Drop(double before, double now, double limit)
        {
            if (double.IsFinite(before) && double.IsFinite(now))
            {
                measures.Add((before - now, limit));
            }
        }

        switch (task)
        {
            case ModelTask.BinaryClassification:
                Drop(reference.Accuracy, recent.Accuracy, _thresholds.AccuracyDrop);
                Drop(reference.Auc, recent.Auc, _thresholds.AucDrop);
                break;
            case ModelTask.MulticlassClassification:
                Drop(reference.Accuracy, recent.Accuracy, _thresholds.AccuracyDrop);
                Drop(reference.MacroF1, recent.MacroF1, _thresholds.AccuracyDrop);
                break;
            case ModelTask.Regression when double.IsFinite(reference.MeanAbsoluteError) && double.IsFinite(recent.MeanAbsoluteError):
                // Relative to the reference error; an exact model (MAE 0) gets the smallest error counted as the scale.
                measures.Add(((recent.MeanAbsoluteError - reference.MeanAbsoluteError) / Math.Max(reference.MeanAbsoluteError, 1e-12), _thresholds.ErrorIncrease));
                break;
        }

        return measures;
    }

    private static void Share(List<AlertDecision> decisions, IReadOnlySet<string> active, string subject, double share, double limit, string what)
    {
        var isActive = active.Contains(AlertDecision.KeyOf(AlertKind.DataQuality, subject));
        if (share > limit && !isActive)
        {
            decisions.Add(new AlertDecision(AlertKind.DataQuality, subject, true, $"{share:P1} {what} (limit {limit:P1})"));
        }
        else if (share <= limit && isActive)
        {
            decisions.Add(new AlertDecision(AlertKind.DataQuality, subject, false, $"back under {limit:P1}: {share:P1} {what}"));
        }
    }
}
