using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using static MlopsAspire.Grains.Tests.MonitoringTraffic;

namespace MlopsAspire.Grains.Tests;

/// <summary>Monitoring grains on two silos and the real store: windows, deduplication, drift alerts.</summary>
public sealed class ModelMonitorGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly string[] FeatureNames = ["amount", "distance", "age"];
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_retried_snapshot_is_counted_once()
    {
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format("dedupe", "1"));
        var profile = ProfileOf(Rows(new Random(1), 4000, shift: 0));
        await monitor.SetReferenceProfile(MonitoringMapper.ToMessage(profile, "test"));
        var at = DateTimeOffset.UtcNow.AddSeconds(-2);
        var snapshot = Snapshot(profile, "replica-a", 1, at, Rows(new Random(2), 100, shift: 0));

        Assert.True(await monitor.Report(snapshot));
        Assert.False(await monitor.Report(snapshot));
        Assert.True(await monitor.Report(snapshot with { ReplicaId = "replica-b" }));

        var summary = await monitor.GetSummary(TimeSpan.FromMinutes(5));
        Assert.Equal(200, summary.RowCount);
        Assert.Equal(2, summary.RequestCount);
        Assert.True(summary.HasReferenceProfile);
    }

    [Fact]
    public async Task A_feature_shifted_by_half_a_standard_deviation_raises_an_alert_within_three_windows()
    {
        var modelName = $"drift-{Guid.NewGuid():N}"[..16];
        var model = fixture.Grains.GetGrain<IModelGrain>(modelName);
        await model.RegisterVersionAsync(ModelLifecycleTests.Request(ModelLifecycleTests.Sha('d')));
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(modelName, "1"));
        var profile = ProfileOf(Rows(new Random(3), 20_000, shift: 0));
        await monitor.SetReferenceProfile(MonitoringMapper.ToMessage(profile, "test"));
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = Window, Grace = TimeSpan.Zero });

        // Ten windows of steady traffic, then the first feature moves by 0.5 sd; all in the recent past so
        // every window has already closed.
        var random = new Random(4);
        var first = RollingWindows.WindowStart(DateTimeOffset.UtcNow.AddMinutes(-5), Window);
        for (var window = 0; window < 13; window++)
        {
            var rows = Rows(random, 2000, shift: window < 10 ? 0 : 0.5);
            Assert.True(await monitor.Report(Snapshot(profile, "replica-a", window, first + window * Window, rows)));
        }

        await monitor.EvaluateClosedWindows();
        var reports = await monitor.GetWindowReports(100);
        Assert.Equal(13, reports.Count);
        Assert.All(reports.Take(10), report => Assert.Equal("None", report.Severity));

        var alerts = await monitor.GetAlerts(10);
        var alert = Assert.Single(alerts);
        Assert.True(alert.Raised);
        Assert.Equal(AlertKind.FeatureDrift, alert.Kind);
        Assert.Equal("amount", alert.Subject);
        Assert.Contains(reports.Skip(10), report => report.Features.Single(f => f.Name == "amount").Severity == "Alert");

        var summary = await monitor.GetSummary(TimeSpan.FromMinutes(10));
        Assert.Single(summary.ActiveAlerts);

        // The alert is an event of the model's audit trail too.
        await monitor.EvaluateClosedWindows();
        var audited = Assert.Single(await model.ReadAuditTrailAsync(), e => e.Action == "alert:feature_drift");
        Assert.Equal(("monitoring", "1"), (audited.Actor, audited.Version));
        Assert.StartsWith("amount: window", audited.Reason);
    }

    [Fact]
    public async Task A_version_without_a_profile_builds_one_from_its_first_production_rows()
    {
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format("learned", "1"));
        var random = new Random(5);
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var sequence = 0; await monitor.GetReferenceProfile() is null; sequence++)
        {
            Assert.True(sequence < 10, "no profile after ten snapshots of 500 rows");
            var rows = Rows(random, 500, shift: 0);
            var message = Snapshot(null, "replica-a", sequence, at, rows) with { SampleRows = [.. rows], FeatureNames = FeatureNames };
            await monitor.Report(message);
        }

        var profile = await monitor.GetReferenceProfile();
        Assert.Equal(FeatureNames, profile!.Features.Select(f => f.Name));
    }

    [Fact]
    public async Task Ground_truth_gives_live_accuracy_and_a_retried_batch_counts_once()
    {
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format("outcomes", "1"));
        var at = DateTimeOffset.UtcNow.AddSeconds(-3);
        LabelledOutcome[] outcomes =
        [
            new(at, 0.9f, 1f), new(at, 0.8f, 1f), new(at, 0.2f, 0f), new(at, 0.6f, 0f),
        ];

        Assert.True(await monitor.RecordOutcomes("batch-1", ModelTask.BinaryClassification, outcomes));
        Assert.False(await monitor.RecordOutcomes("batch-1", ModelTask.BinaryClassification, outcomes));

        var summary = await monitor.GetSummary(TimeSpan.FromMinutes(5));
        Assert.Equal(4, summary.LabelledRows);
        Assert.Equal(0.75, summary.Accuracy, 12);
        Assert.Equal(1.0, summary.Auc, 12);
    }

    [Fact]
    public async Task Bad_policies_are_rejected_with_the_reason()
    {
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format("policy", "1"));
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            monitor.SetPolicy(MonitoringPolicy.Default with { PsiWarning = 0.3, PsiAlert = 0.2 }));
        Assert.Contains("PSI thresholds", error.Message);
    }

    private static ReferenceProfile ProfileOf(List<float[]> rows) => ReferenceProfile.FromRows(FeatureNames, rows);
}
