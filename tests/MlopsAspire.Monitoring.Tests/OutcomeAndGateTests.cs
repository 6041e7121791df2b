using MlopsAspire.Monitoring.Gates;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Tests;

public sealed class OutcomeAndGateTests
{
    [Fact]
    public void Accuracy_log_loss_and_auc_match_an_offline_computation()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 4000).Select(_ =>
        {
            var positive = random.NextDouble() < 0.3;
            var score = Math.Clamp((positive ? 0.65 : 0.35) + (random.NextDouble() - 0.5) * 0.6, 0, 1);
            // Scores at bin centres, so the binned AUC must equal the exact one.
            return (Score: (Math.Min(99, Math.Floor(score * 100)) + 0.5) / 100, Positive: positive);
        }).ToList();

        var parts = new[] { new OutcomeStatistics(), new OutcomeStatistics() };
        for (var i = 0; i < rows.Count; i++)
        {
            parts[i % 2].Record(rows[i].Score, rows[i].Positive);
        }

        parts[0].Merge(parts[1]);
        var merged = parts[0];
        Assert.Equal(rows.Count(r => (r.Score >= 0.5) == r.Positive) / (double)rows.Count, merged.Accuracy, 12);
        var logLoss = rows.Average(r => -(r.Positive ? Math.Log(Math.Clamp(r.Score, 1e-7, 1 - 1e-7)) : Math.Log(1 - Math.Clamp(r.Score, 1e-7, 1 - 1e-7))));
        Assert.Equal(logLoss, merged.LogLoss, 9);

        // Exact Mann-Whitney AUC over all pairs.
        var positives = rows.Where(r => r.Positive).Select(r => r.Score).ToArray();
        var negatives = rows.Where(r => !r.Positive).Select(r => r.Score).ToArray();
        double wins = 0;
        foreach (var p in positives)
        {
            foreach (var n in negatives)
            {
                wins += p > n + 1e-9 ? 1 : Math.Abs(p - n) < 1e-9 ? 0.5 : 0;
            }
        }

        Assert.Equal(wins / ((double)positives.Length * negatives.Length), merged.Auc, 9);
    }

    private static readonly PromotionPolicy Policy = PromotionPolicy.Default with { MinimumDuration = TimeSpan.FromMinutes(1) };

    private static VersionEvidence Production => new("1", 50_000, TimeSpan.FromHours(1), 0.001, 2.0, 5000, 0.95);

    [Fact]
    public void A_candidate_that_matches_production_passes_every_check()
    {
        var candidate = new VersionEvidence("2", 5000, TimeSpan.FromMinutes(5), 0.0, 2.2, 1000, 0.955, ShadowAgreement: 0.99, MeanScoreDelta: 0.01);
        var result = GateEvaluator.Evaluate(Policy, candidate, Production);
        Assert.True(result.Decided);
        Assert.True(result.Passed, result.Summary);
        Assert.DoesNotContain(result.Checks, check => check.Skipped);
    }

    [Fact]
    public void Each_broken_limit_fails_with_a_reason_naming_the_numbers()
    {
        var candidate = new VersionEvidence("2", 5000, TimeSpan.FromMinutes(5), 0.05, 4.0, 1000, 0.90, ShadowAgreement: 0.80, MeanScoreDelta: 0.2);
        var result = GateEvaluator.Evaluate(Policy, candidate, Production);
        Assert.True(result.Decided);
        Assert.False(result.Passed);
        Assert.Equal(["shadow_agreement", "score_delta", "p99_ratio", "error_rate", "accuracy"], result.Failures.Select(c => c.Name));
        Assert.Contains("p99 4.00 ms vs 2.00 ms = 2.00x", result.Summary);
        Assert.Contains("accuracy 90.00% vs 1 95.00%", result.Summary);
    }

    [Fact]
    public void Thin_evidence_decides_nothing_and_missing_labels_skip_the_accuracy_check()
    {
        var young = new VersionEvidence("2", 10, TimeSpan.FromSeconds(5), 0, 2, 0, double.NaN);
        var early = GateEvaluator.Evaluate(Policy, young, Production);
        Assert.False(early.Decided);
        Assert.False(early.Passed);
        Assert.StartsWith("not enough evidence yet", early.Summary);
        Assert.Equal("observed 00:00:05 of 00:01:00", early.Checks.Single(c => c.Name == "minimum_duration").Detail);

        var unlabelled = new VersionEvidence("2", 5000, TimeSpan.FromMinutes(5), 0, 2, 0, double.NaN, 0.99, 0.01);
        var result = GateEvaluator.Evaluate(Policy, unlabelled, Production);
        Assert.True(result.Passed);
        Assert.True(result.Checks.Single(c => c.Name == "accuracy").Skipped);
    }

    [Fact]
    public void Thin_evidence_still_shows_the_checks_that_are_failing_so_far_and_decides_nothing()
    {
        var young = new VersionEvidence("2", 10, TimeSpan.FromSeconds(5), 0, 2, 0, double.NaN, ShadowAgreement: 0.99, MeanScoreDelta: 0.6);

        var early = GateEvaluator.Evaluate(Policy, young, Production);

        Assert.False(early.Decided);
        Assert.False(early.Passed);
        Assert.Contains(early.Checks, check => check.Name == "score_delta" && !check.Passed);
        Assert.Contains(early.Checks, check => check.Name == "shadow_agreement" && check.Passed);
        Assert.StartsWith("not enough evidence yet: 10 of", early.Summary);
        Assert.EndsWith("; failing so far: mean |Δscore| 0.6000 (maximum " + Policy.MaximumMeanScoreDelta!.Value.ToString("F4", System.Globalization.CultureInfo.CurrentCulture) + ")", early.Summary);
    }

    [Fact]
    public void Invalid_policies_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => (PromotionPolicy.Default with { MaximumErrorRate = 2 }).Validate());
        Assert.Throws<ArgumentException>(() => (PromotionPolicy.Default with { MinimumRows = -1 }).Validate());
    }
}
