using System.Globalization;

namespace MlopsAspire.Monitoring.Gates;

/// <summary>
/// Judges a candidate against a baseline (production, or the previous production for a live version). Every check is
/// evaluated; until <see cref="PromotionPolicy.MinimumRows"/> and <see cref="PromotionPolicy.MinimumDuration"/> are
/// reached the result is undecided and its other checks are a preview.
/// </summary>
public static class GateEvaluator
{
    public static GateResult Evaluate(PromotionPolicy policy, VersionEvidence candidate, VersionEvidence baseline)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        var checks = new List<GateCheck>();
        var enoughRows = candidate.Rows >= policy.MinimumRows;
        var enoughTime = candidate.Observed >= policy.MinimumDuration;
        checks.Add(new GateCheck(GateResult.MinimumRowsCheck, enoughRows, false, candidate.Rows, policy.MinimumRows, $"{candidate.Rows} of {policy.MinimumRows} rows scored"));
        checks.Add(new GateCheck(GateResult.MinimumDurationCheck, enoughTime, false, candidate.Observed.TotalSeconds, policy.MinimumDuration.TotalSeconds, $"observed {WholeSeconds(candidate.Observed)} of {WholeSeconds(policy.MinimumDuration)}"));
        // The other checks are evaluated on thin evidence too, as a preview: an operator sees now that a check will
        // fail, not after the minimum duration. They decide nothing until the evidence is enough.
        var decided = enoughRows && enoughTime;
        if (policy.MinimumShadowAgreement is { } agreement)
        {
            checks.Add(candidate.ShadowAgreement is { } actual && !double.IsNaN(actual)
                ? new GateCheck("shadow_agreement", actual >= agreement, false, actual, agreement, $"agreement with production {actual * 100:F2}% (minimum {agreement * 100:F2}%)")
                : new GateCheck("shadow_agreement", true, true, double.NaN, agreement, "no shadow comparison recorded"));
        }

        if (policy.MaximumMeanScoreDelta is { } delta)
        {
            checks.Add(candidate.MeanScoreDelta is { } actual && !double.IsNaN(actual)
                ? new GateCheck("score_delta", actual <= delta, false, actual, delta, $"mean |Δscore| {actual:F4} (maximum {delta:F4})")
                : new GateCheck("score_delta", true, true, double.NaN, delta, "no shadow comparison recorded"));
        }

        if (policy.MaximumP99Ratio is { } ratioLimit)
        {
            var measurable = candidate.P99Milliseconds > 0 && baseline.P99Milliseconds > 0 && !double.IsNaN(candidate.P99Milliseconds + baseline.P99Milliseconds);
            var ratio = measurable ? candidate.P99Milliseconds / baseline.P99Milliseconds : double.NaN;
            checks.Add(measurable
                ? new GateCheck("p99_ratio", ratio <= ratioLimit, false, ratio, ratioLimit, $"p99 {candidate.P99Milliseconds:F2} ms vs {baseline.P99Milliseconds:F2} ms = {ratio:F2}x (maximum {ratioLimit:F2}x)")
                : new GateCheck("p99_ratio", true, true, double.NaN, ratioLimit, "latency not measured for both versions"));
        }

        if (policy.MaximumErrorRate is { } errorLimit)
        {
            checks.Add(new GateCheck("error_rate", candidate.ErrorRate <= errorLimit, false, candidate.ErrorRate, errorLimit, $"error rate {candidate.ErrorRate * 100:F2}% (maximum {errorLimit * 100:F2}%)"));
        }

        if (policy.MaximumAccuracyDrop is { } drop)
        {
            var measurable = candidate.LabelledRows >= policy.MinimumLabelledRows && baseline.LabelledRows >= policy.MinimumLabelledRows
                && !double.IsNaN(candidate.Accuracy) && !double.IsNaN(baseline.Accuracy);
            var difference = measurable ? baseline.Accuracy - candidate.Accuracy : double.NaN;
            checks.Add(measurable
                ? new GateCheck("accuracy", difference <= drop, false, candidate.Accuracy, baseline.Accuracy - drop, $"accuracy {candidate.Accuracy * 100:F2}% vs {baseline.Version} {baseline.Accuracy * 100:F2}% (may be at most {drop * 100:F1} points lower)")
                : new GateCheck("accuracy", true, true, candidate.Accuracy, double.NaN, $"fewer than {policy.MinimumLabelledRows} labelled rows for one of the versions"));
        }

        return new GateResult(decided, decided && checks.All(check => check.Passed || check.Skipped), checks);
    }

    /// <summary>A duration as people read it in a gate's detail: whole seconds, days only when there are some.</summary>
    private static string WholeSeconds(TimeSpan duration) =>
        TimeSpan.FromSeconds(Math.Floor(duration.TotalSeconds)).ToString(duration.TotalDays >= 1 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
