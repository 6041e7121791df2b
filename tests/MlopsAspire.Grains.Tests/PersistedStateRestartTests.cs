using Microsoft.Extensions.DependencyInjection;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.Grains.Monitoring;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using Orleans.Storage;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;
using static MlopsAspire.Grains.Tests.MonitoringTraffic;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// Every persisted grain state, populated the way production populates it (collection expressions, nested records,
/// profiles built from production rows, windows, alerts, runs), read back by a cluster started afresh over the same
/// store. Own cluster: these tests restart it.
/// </summary>
public sealed class PersistedStateRestartTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly string[] FeatureNames = ["temp_max", "temp_min", "wind"];
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Every_grain_state_reads_back_after_the_platform_restarts()
    {
        var name = UniqueModelName();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var built = ReferenceProfile.FromRows(
            FeatureNames,
            Rows(new Random(1), 3000, shift: 0),
            new Dictionary<string, IReadOnlyList<double>> { ["p"] = [.. Enumerable.Range(0, 3000).Select(i => i % 100 / 100.0)] });
        var lineage = new ModelLineage("1", new TrainingDataWindow(DateTimeOffset.UtcNow.AddHours(-6), DateTimeOffset.UtcNow), MonitoringMapper.ToMessage(built, "training rows"),
            "mlnet-fasttree", new Dictionary<string, string> { ["trees"] = "100" }, 7, 3000, "alert");
        await model.RegisterVersionAsync(ModelRetrainingGrainTests.Retrainable(Sha('1')));
        await model.RegisterVersionAsync(Request(Sha('2')) with { Lineage = lineage, DeclaredSignature = new ModelSignature([new("x", "FP32", [-1, 3])], [new("p", "FP32", [-1, 1])]) });
        await model.RecordValidationAsync("1", Passed(), "tester");
        await model.RecordValidationAsync("2", Passed(), "tester");
        await model.PromoteAsync("1", new ChangeContext("tester", "first"));
        await model.SetShadowAsync("2", 0.5, new ChangeContext("tester", "compare"));
        await model.RecordEventAsync("1", "alert:feature_drift", "temp_max: PSI 0.4", "monitoring");

        // The production version's monitor builds its profile from production rows, as it does without one supplied.
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, "1"));
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = Window, Grace = TimeSpan.Zero, MinimumLabelledRows = 4 });
        var start = RollingWindows.WindowStart(DateTimeOffset.UtcNow.AddMinutes(-5), Window);
        var random = new Random(2);
        for (var sequence = 0; await monitor.GetReferenceProfile() is null; sequence++)
        {
            Assert.True(sequence < 10, "no profile after ten snapshots of 500 rows");
            var rows = Rows(random, 500, shift: 0);
            await monitor.Report(Snapshot(null, "replica-a", sequence, start, rows, rows.Count) with { SampleRows = [.. rows], FeatureNames = FeatureNames });
        }

        var profile = MonitoringMapper.ToProfile((await monitor.GetReferenceProfile())!);
        for (var window = 1; window <= 6; window++)
        {
            var rows = Rows(random, 1000, shift: window > 3 ? 2 : 0);
            await monitor.Report(Snapshot(profile, "replica-a", 100 + window, start + window * Window, rows, rows.Count));
        }

        var at = start + Window;
        await monitor.RecordOutcomes("labels", ModelTask.BinaryClassification, [new(at, 0.9f, 1f), new(at, 0.2f, 0f), new(at, 0.7f, 1f), new(at, 0.4f, 1f)]);
        await monitor.EvaluateClosedWindows();

        var governor = fixture.Grains.GetGrain<IModelGovernorGrain>(name);
        var promotion = new PromotionPolicyData(500, TimeSpan.FromMinutes(1), 0.95, 0.05, 2.0, 0.01, 0.02, 100, true, true, TimeSpan.FromHours(1));
        await governor.SetPolicy(promotion);

        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);
        await retraining.SetPolicy(RetrainingPolicyData.Default with { Schedule = TimeSpan.FromHours(6) });
        var run = await retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "new labels", "operator", DateTimeOffset.UtcNow.AddHours(-1)));
        await retraining.Claim("worker-a");
        await retraining.Progress(run.RunId, "data", "3,000 labelled rows");
        await retraining.Complete(run.RunId, new RetrainingResult(true, "beat its parent", "2", new Dictionary<string, double> { ["auc"] = 0.93 }));

        var audit = fixture.Grains.GetGrain<ISecurityAuditGrain>(ISecurityAuditGrain.SingletonKey);
        await audit.RecordAsync(new SecurityAuditEvent(DateTimeOffset.UtcNow, "key:abc123", "Promote", "permission-denied", "reader may not promote", name));

        var before = await ReadEverythingAsync(name);
        Assert.True(before.Summary.HasReferenceProfile);
        Assert.NotEmpty(before.Alerts);
        Assert.Contains(before.Reports, report => report.RowCount > 0);

        await fixture.RestartAsync();

        var after = await ReadEverythingAsync(name);
        Assert.Equal(before.Model.Revision, after.Model.Revision);
        Assert.Equal(before.Model.ProductionVersion, after.Model.ProductionVersion);
        Assert.Equal(before.Model.Versions.Select(v => (v.Version, v.State)), after.Model.Versions.Select(v => (v.Version, v.State)));
        Assert.Equal(FeatureNames, after.Version2.Lineage!.Reference!.Features.Select(f => f.Name));
        Assert.Equal(["p"], after.Version2.Lineage.Reference.Predictions.Select(f => f.Name));
        Assert.Equal(before.Version2.Lineage!.Parameters, after.Version2.Lineage.Parameters);
        Assert.Equal(before.Version2.Signature, after.Version2.Signature);
        Assert.Equal(before.AuditActions, after.AuditActions);
        Assert.Equal(before.Profile.Features.Select(f => (f.Name, f.ReferenceCounts.Sum())), after.Profile.Features.Select(f => (f.Name, f.ReferenceCounts.Sum())));
        Assert.Equal(before.Summary.RowCount, after.Summary.RowCount);
        Assert.Equal(before.Summary.LabelledRows, after.Summary.LabelledRows);
        Assert.Equal(before.Summary.ActiveAlerts.Select(a => (a.Kind, a.Subject)), after.Summary.ActiveAlerts.Select(a => (a.Kind, a.Subject)));
        Assert.Equal(before.Reports.Select(r => (r.WindowStart, r.RowCount, r.Severity)), after.Reports.Select(r => (r.WindowStart, r.RowCount, r.Severity)));
        Assert.Equal(before.Alerts.Count, after.Alerts.Count);
        Assert.Equal(Window, after.MonitoringPolicy.Window);
        Assert.Equal(promotion, after.PromotionPolicy);
        Assert.Equal(TimeSpan.FromHours(6), after.RetrainingPolicy.Schedule);
        var storedRun = Assert.Single(after.Runs);
        Assert.Equal((RetrainingRunStatus.Succeeded, "2", 0.93), (storedRun.Status, storedRun.CandidateVersion, storedRun.Metrics!["auc"]));
        Assert.Equal(before.Runs.Single().Steps, storedRun.Steps);
        Assert.Contains(after.RoutingTable.Models, route => route.ModelName == name && route.ProductionVersion == "1" && route.Shadows!.Single().Version == "2");
        Assert.Contains(after.SecurityEvents, e => e.ModelName == name && e.Operation == "Promote");
    }

    [Fact]
    public async Task Labels_a_monitor_accepted_are_stored_before_it_answers_so_a_killed_silo_loses_none()
    {
        // A write just before (the policy) puts the next throttled write seconds away; the labels must not wait for it.
        var name = UniqueModelName();
        var key = ModelVersionKey.Format(name, "1");
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(key);
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = Window });
        var at = DateTimeOffset.UtcNow;

        Assert.True(await monitor.RecordOutcomes("durable-labels", ModelTask.BinaryClassification, [new(at, 0.9f, 1f), new(at, 0.2f, 0f)]));

        // Read straight from the store, with the grain still active: what a kill -9 of its silo would leave.
        Assert.Contains("feedback:durable-labels", await ReadStoredStateAsync(key, "monitor"));
    }

    [Fact]
    public async Task A_monitor_written_with_type_names_by_an_earlier_build_still_activates()
    {
        // What the previous build stored: Orleans' default JSON (type names on every object and collection, reference
        // ids), with a profile whose lists came from collection expressions. Reading it back used to fail with
        // "type is not allowed", and with it every statistic, drift judgement and gate of that version.
        var name = UniqueModelName();
        var key = ModelVersionKey.Format(name, "1");
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(key);
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = Window });
        var profile = ReferenceProfile.FromRows(FeatureNames, Rows(new Random(3), 2000, shift: 0));
        var alert = new MonitoringAlert(DateTimeOffset.UtcNow, name, "1", AlertKind.FeatureDrift, "wind", true, "PSI 0.4");
        var stored = new ModelMonitorState
        {
            Profile = MonitoringMapper.ToMessage(profile, "first 2000 production rows"),
            Policy = MonitoringPolicy.Default with { Window = Window },
            Alerts = [alert],
            ActiveAlerts = new Dictionary<string, MonitoringAlert> { ["feature_drift:wind"] = alert },
            SampleFeatureNames = [.. FeatureNames],
        };
        var earlierFormat = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorageSerializer>();
        var json = earlierFormat.Serialize(stored).ToString();
        Assert.Contains("$type", json);

        await OverwriteStoredStateAsync(key, "monitor", json);
        await fixture.Cluster.DeactivateAsync(monitor);

        var summary = await monitor.GetSummary(TimeSpan.FromMinutes(5));
        Assert.True(summary.HasReferenceProfile);
        Assert.Equal((AlertKind.FeatureDrift, "wind"), (summary.ActiveAlerts.Single().Kind, summary.ActiveAlerts.Single().Subject));
        Assert.Equal(FeatureNames, (await monitor.GetReferenceProfile())!.Features.Select(f => f.Name));

        // The next write stores it in the form every build reads, with no type names.
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = Window * 2 });
        Assert.DoesNotContain("$type", await ReadStoredStateAsync(key, "monitor"));
    }

    [Fact]
    public async Task A_monitor_reference_stored_as_AccuracyReference_by_an_earlier_build_reads_back()
    {
        // Earlier builds kept the reference metrics in a grain-only record (AccuracyReference) and copied them into the
        // summary's ReferenceOutcomes; the state stores ReferenceOutcomes itself now. What they wrote, field for field:
        var name = UniqueModelName();
        var key = ModelVersionKey.Format(name, "1");
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(key);
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = Window });
        const string earlierState = """
            {"Policy":null,"AccuracyReference":{"Accuracy":0.91,"Auc":0.95,"Rows":2000,"LastWindow":"2026-03-01T10:00:00+00:00",
            "MacroF1":0.5,"MeanAbsoluteError":0.125,"RootMeanSquaredError":0.25,"LogLoss":0.3},"OutcomeTask":"binary_classification"}
            """;
        await OverwriteStoredStateAsync(key, "monitor", earlierState);
        await fixture.Cluster.DeactivateAsync(monitor);

        var summary = await monitor.GetSummary(TimeSpan.FromMinutes(5));

        Assert.Equal(
            new ReferenceOutcomes(2000, 0.91, 0.95, 0.3, 0.5, 0.125, 0.25, new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero)),
            summary.ReferenceOutcomes);
    }

    [Fact]
    public async Task A_state_that_cannot_be_read_is_reported_with_its_grain_and_key_and_other_grains_keep_working()
    {
        var broken = ModelVersionKey.Format(UniqueModelName(), "1");
        var healthy = ModelVersionKey.Format(UniqueModelName(), "1");
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(broken);
        await monitor.SetPolicy(MonitoringPolicy.Default);
        await fixture.Grains.GetGrain<IModelMonitorGrain>(healthy).SetPolicy(MonitoringPolicy.Default);
        await OverwriteStoredStateAsync(broken, "monitor", "{\"Profile\": [not json");
        await fixture.Cluster.DeactivateAsync(monitor);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => monitor.GetSummary(TimeSpan.FromMinutes(5)));
        Assert.Contains(broken, error.ToString());
        Assert.Contains("/state/", error.ToString());

        var summary = await fixture.Grains.GetGrain<IModelMonitorGrain>(healthy).GetSummary(TimeSpan.FromMinutes(5));
        Assert.Equal(0, summary.RequestCount);

        // The stored bytes are left as they were, for whoever repairs them.
        Assert.StartsWith("{\"Profile\": [not json", await ReadStoredStateAsync(broken, "monitor"));
    }

    private async Task<Everything> ReadEverythingAsync(string name)
    {
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, "1"));
        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);
        return new Everything(
            await model.GetAsync(),
            await model.GetVersionAsync("2"),
            [.. (await model.ReadAuditTrailAsync()).Select(e => e.Action)],
            MonitoringMapper.ToProfile((await monitor.GetReferenceProfile())!),
            await monitor.GetSummary(TimeSpan.FromHours(1)),
            await monitor.GetWindowReports(100),
            await monitor.GetAlerts(100),
            await monitor.GetPolicy(),
            await fixture.Grains.GetGrain<IModelGovernorGrain>(name).GetPolicy(),
            await retraining.GetPolicy(),
            await retraining.GetRuns(10),
            await fixture.Grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).GetRoutingTableAsync(),
            (await fixture.Grains.GetGrain<ISecurityAuditGrain>(ISecurityAuditGrain.SingletonKey).ReadAsync(-100, 100)).Events);
    }

    private Task OverwriteStoredStateAsync(string grainKey, string stateName, string json) =>
        StoredGrainState.OverwriteAsync(fixture.StoreEndpoint, grainKey, stateName, json);

    private Task<string> ReadStoredStateAsync(string grainKey, string stateName) =>
        StoredGrainState.ReadAsync(fixture.StoreEndpoint, grainKey, stateName);

    private sealed record Everything(
        ModelInfo Model,
        ModelVersionInfo Version2,
        List<string> AuditActions,
        ReferenceProfile Profile,
        MonitoringSummary Summary,
        IReadOnlyList<WindowReport> Reports,
        IReadOnlyList<MonitoringAlert> Alerts,
        MonitoringPolicy MonitoringPolicy,
        PromotionPolicyData PromotionPolicy,
        RetrainingPolicyData RetrainingPolicy,
        IReadOnlyList<RetrainingRun> Runs,
        RoutingTable RoutingTable,
        IReadOnlyList<SecurityAuditEvent> SecurityEvents);
}
