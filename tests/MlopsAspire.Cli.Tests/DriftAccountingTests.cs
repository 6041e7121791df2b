using MlopsAspire.Cli.Scenarios;

namespace MlopsAspire.Cli.Tests;

/// <summary>The drift scenario's bookkeeping on synthetic answers: buckets, accuracy, AUC, timeline and the recovery verdict.</summary>
public sealed class DriftAccountingTests
{
    private static readonly TimeSpan Width = TimeSpan.FromSeconds(5);

    [Fact]
    public void Responses_fall_into_buckets_by_arrival_with_accuracy_auc_and_errors_per_bucket_and_version()
    {
        var accounting = new DriftAccounting(Width, TimeSpan.Zero, 0.02);
        var (firstScores, firstLabels) = Rows(20, correct: 15);
        accounting.RecordResponse(Seconds(0.5), "1", drifted: false, firstScores, firstLabels);
        var (secondScores, secondLabels) = Rows(20, correct: 20);
        accounting.RecordResponse(Seconds(4.9), "2", drifted: false, secondScores, secondLabels);
        accounting.RecordError(Seconds(3), "Unavailable");
        accounting.RecordError(Seconds(4), "Unavailable");
        accounting.RecordResponse(Seconds(5.0), "1", drifted: true, firstScores, firstLabels);

        Assert.Empty(accounting.CloseBuckets(Seconds(4.99)));
        var bucket = Assert.Single(accounting.CloseBuckets(Seconds(7)));

        Assert.Equal((TimeSpan.Zero, Width), (bucket.Start, bucket.End));
        Assert.Equal((2L, 40L, 35L, 0L), (bucket.Requests, bucket.Rows, bucket.Correct, bucket.DriftedRows));
        Assert.Equal(35.0 / 40, bucket.Accuracy, 10);
        Assert.Equal(10L, bucket.Positives);
        Assert.Equal(2L, bucket.Errors["Unavailable"]);
        Assert.Equal(2L, bucket.ErrorCount);
        Assert.Equal("original", bucket.Concept);
        Assert.Equal(0.75, bucket.Versions["1"].Accuracy, 10);
        Assert.Equal(1.0, bucket.Versions["2"].Accuracy, 10);
        Assert.Equal(1.0, bucket.Versions["2"].Auc, 10);
        Assert.InRange(bucket.Auc, 0.5, 1.0);

        // An empty stretch still closes as empty buckets, so the timeline has no holes.
        var later = accounting.CloseBuckets(Seconds(16));
        Assert.Equal([Seconds(5), Seconds(10)], later.Select(b => b.Start));
        Assert.Equal("drifted", later[0].Concept);
        Assert.Equal(0L, later[1].Rows);
        Assert.True(double.IsNaN(later[1].Accuracy));
    }

    [Fact]
    public void A_response_timed_just_before_its_bucket_closed_lands_in_the_oldest_open_bucket()
    {
        var accounting = new DriftAccounting(Width, TimeSpan.Zero, 0.02);
        accounting.CloseBuckets(Seconds(10));
        var (scores, labels) = Rows(4, correct: 4);
        accounting.RecordResponse(Seconds(9.99), "1", drifted: false, scores, labels);

        var bucket = Assert.Single(accounting.CloseBuckets(Seconds(15)));
        Assert.Equal(Seconds(10), bucket.Start);
        Assert.Equal(4L, bucket.Rows);
    }

    [Fact]
    public void Recovery_compares_the_steady_state_after_warmup_with_buckets_served_wholly_by_the_new_production_version()
    {
        var accounting = Healing(postAccuracyCorrectOf100: 96);
        var result = accounting.Summarize(Seconds(120));

        // Pre-drift: buckets 10 s to 60 s (the first two are warm-up); the first one was poor and must not count.
        Assert.Equal(10, result.PreDrift.Buckets);
        Assert.Equal(0.97, result.PreDriftAccuracy, 10);
        Assert.Equal(1.0, result.PreDrift.Auc, 10);

        Assert.Equal(Seconds(60), result.DriftStartedAt);
        Assert.Equal("1", result.InitialProductionVersion);
        Assert.Equal("2", result.NewProductionVersion);
        Assert.Equal("2", result.FinalProductionVersion);
        Assert.Equal(Seconds(92), result.ProductionChangedAt);

        // Post-recovery: 95 s to 120 s; the 90-95 s bucket was answered by both versions and is left out.
        Assert.Equal(5, result.PostRecovery.Buckets);
        Assert.Equal(2_500L, result.PostRecovery.Rows);
        Assert.Equal(0.96, result.PostRecoveryAccuracy, 10);
        Assert.True(result.Recovered);
        Assert.Equal(0.02, result.RecoveryTolerance);
        Assert.Equal(24, result.Buckets.Count);
        Assert.Equal(TimeSpan.FromSeconds(25), accounting.RecoveredSpan());

        Assert.Equal(
            [
                DriftEventKind.RoutesObserved, DriftEventKind.DriftStarted, DriftEventKind.VersionRegistered,
                DriftEventKind.VersionStateChanged, DriftEventKind.ShadowStarted,
                DriftEventKind.VersionStateChanged, DriftEventKind.VersionStateChanged, DriftEventKind.ShadowEnded, DriftEventKind.ProductionChanged,
            ],
            result.Events.Select(e => e.Kind));
        Assert.Contains(result.Events, e => e.Detail == "production 1 → 2" && e.At == Seconds(92));
        Assert.Contains(result.Events, e => e.Detail == "version 2: Ready → Shadow");
    }

    [Fact]
    public void Accuracy_outside_the_tolerance_is_not_a_recovery()
    {
        var result = Healing(postAccuracyCorrectOf100: 90).Summarize(Seconds(120));

        Assert.Equal(0.90, result.PostRecoveryAccuracy, 10);
        Assert.False(result.Recovered);
    }

    [Fact]
    public void Without_a_new_production_version_after_drift_there_is_no_post_recovery_measurement()
    {
        var accounting = new DriftAccounting(Width, Seconds(10), 0.02);
        accounting.RecordRoutes(Seconds(0), Routes("1"));
        Fill(accounting, from: 0, to: 60, "1", drifted: false, correctOf100: 97);
        accounting.RecordDriftStarted(Seconds(60), 1.0);
        Fill(accounting, from: 60, to: 100, "1", drifted: true, correctOf100: 97);
        accounting.CloseAll(Seconds(100));

        var result = accounting.Summarize(Seconds(100));
        Assert.Null(result.NewProductionVersion);
        Assert.Null(result.ProductionChangedAt);
        Assert.Equal(0L, result.PostRecovery.Rows);
        Assert.True(double.IsNaN(result.PostRecoveryAccuracy));
        Assert.False(result.Recovered);
    }

    [Fact]
    public void A_rollback_to_the_version_that_served_before_drift_is_not_a_recovery()
    {
        var accounting = Healing(postAccuracyCorrectOf100: 97);
        accounting.RecordRoutes(Seconds(121), Routes("1", versions: new() { ["1"] = "Production", ["2"] = "Ready" }));

        var result = accounting.Summarize(Seconds(125));
        Assert.Null(result.NewProductionVersion);
        Assert.False(result.Recovered);
        Assert.Equal("1", result.FinalProductionVersion);
    }

    [Fact]
    public void A_bucket_straddling_the_switch_counts_neither_before_nor_after()
    {
        var accounting = new DriftAccounting(Width, TimeSpan.Zero, 0.02);
        accounting.RecordRoutes(Seconds(0), Routes("1"));
        Fill(accounting, from: 0, to: 10, "1", drifted: false, correctOf100: 90);
        var (scores, labels) = Rows(100, correct: 10);
        accounting.RecordResponse(Seconds(10.5), "1", drifted: false, scores, labels);
        accounting.RecordDriftStarted(Seconds(11), 1.0);
        accounting.RecordResponse(Seconds(11.5), "1", drifted: true, scores, labels);
        accounting.CloseAll(Seconds(15));

        var result = accounting.Summarize(Seconds(15));
        Assert.Equal("mixed", result.Buckets[2].Concept);
        Assert.Equal(2, result.PreDrift.Buckets);
        Assert.Equal(0.90, result.PreDriftAccuracy, 10);
    }

    [Fact]
    public void Canary_and_route_changes_become_events()
    {
        var accounting = new DriftAccounting(Width, TimeSpan.Zero, 0.02);
        accounting.RecordRoutes(Seconds(0), Routes("1"));
        Assert.Empty(accounting.RecordRoutes(Seconds(2), Routes("1")));

        var canary = Assert.Single(
            accounting.RecordRoutes(Seconds(4), Routes("1", canary: "3", weight: 10, versions: new() { ["1"] = "Production", ["3"] = "Canary" })),
            e => e.Kind == DriftEventKind.CanaryChanged);
        Assert.Equal("version 3 is the canary at 10%", canary.Detail);
        var ended = accounting.RecordRoutes(Seconds(6), Routes("1", versions: new() { ["1"] = "Production", ["3"] = "Retired" }));
        Assert.Contains(ended, e => e.Kind == DriftEventKind.CanaryChanged && e.Detail == "canary 3 ended");
        Assert.Contains(ended, e => e.Kind == DriftEventKind.VersionStateChanged && e.Detail == "version 3: Canary → Retired");
    }

    /// <summary>
    /// Production 1 answers well until drift at 60 s, badly after; version 2 is registered at 80 s, shadows at 85 s and
    /// takes over at 92 s (both answer in 90-95 s), then answers with the given accuracy until 120 s.
    /// </summary>
    private static DriftAccounting Healing(int postAccuracyCorrectOf100)
    {
        var accounting = new DriftAccounting(Width, Seconds(10), 0.02);
        accounting.RecordRoutes(Seconds(0), Routes("1"));
        Fill(accounting, from: 0, to: 5, "1", drifted: false, correctOf100: 50);
        Fill(accounting, from: 5, to: 60, "1", drifted: false, correctOf100: 97);
        accounting.RecordDriftStarted(Seconds(60), 1.0);
        Fill(accounting, from: 60, to: 92, "1", drifted: true, correctOf100: 80);
        accounting.RecordRoutes(Seconds(80), Routes("1", versions: new() { ["1"] = "Production", ["2"] = "Ready" }));
        accounting.RecordRoutes(Seconds(85), Routes("1", shadows: ["2"], versions: new() { ["1"] = "Production", ["2"] = "Shadow" }));
        accounting.RecordRoutes(Seconds(92), Routes("2", versions: new() { ["1"] = "Ready", ["2"] = "Production" }));
        Fill(accounting, from: 92, to: 120, "2", drifted: true, correctOf100: postAccuracyCorrectOf100);
        accounting.CloseAll(Seconds(119.9));
        return accounting;
    }

    /// <summary>One 100-row response a second in [from, to), each with the given number of correct rows.</summary>
    private static void Fill(DriftAccounting accounting, int from, int to, string version, bool drifted, int correctOf100)
    {
        var (scores, labels) = Rows(100, correctOf100);
        for (var second = from; second < to; second++)
        {
            accounting.RecordResponse(Seconds(second + 0.5), version, drifted, scores, labels);
        }
    }

    /// <summary>
    /// Rows, a quarter of them positive, of which exactly the first <paramref name="correct"/> are on the right side of 0.5:
    /// correct rows score 0.05 or 0.95, wrong ones 0.55 (negatives) or 0.45 (positives).
    /// </summary>
    private static (float[] Scores, bool[] Labels) Rows(int count, int correct)
    {
        var labels = Enumerable.Range(0, count).Select(i => i % 4 == 0).ToArray();
        var scores = labels.Select((label, i) => i < correct ? (label ? 0.95f : 0.05f) : (label ? 0.45f : 0.55f)).ToArray();
        return (scores, labels);
    }

    private static ModelRoutes Routes(string production, string canary = "", int weight = 0, string[]? shadows = null, Dictionary<string, string>? versions = null) =>
        new(production, canary, weight, shadows ?? [], versions ?? new Dictionary<string, string> { [production] = "Production" });

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);
}
