using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Windows;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;

namespace MlopsAspire.Grains.Tests;

/// <summary>Retraining queues on two silos and the real store: requests, claims, outcomes, and alerts that start runs.</summary>
public sealed class ModelRetrainingGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    /// <summary>A config that says how to retrain the model: its task, its features and a trainer.</summary>
    internal const string RetrainableConfig = """
        { "task": "binary-classification", "inputs": { "Features": { "features": ["a", "b", "c"] } },
          "outputs": { "score": "Probability.output" }, "training": { "trainer": "mlnet-fasttree" } }
        """;

    internal static RegisterVersionRequest Retrainable(string sha) => Request(sha) with { ServingConfigJson = RetrainableConfig };

    [Fact]
    public async Task A_manual_request_is_queued_once_claimed_by_one_worker_and_its_outcome_audited()
    {
        var (name, model) = await ModelInProductionAsync();
        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);

        var run = await retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "new labels arrived", "operator"));
        Assert.Equal(RetrainingRunStatus.Queued, run.Status);
        Assert.Equal("1", run.ParentVersion);

        // A second trigger while one is queued joins it instead of queuing another.
        var again = await retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "again", "operator"));
        Assert.Equal(run.RunId, again.RunId);

        var claimed = await retraining.Claim("worker-a");
        Assert.Equal((run.RunId, RetrainingRunStatus.Running, "worker-a"), (claimed!.RunId, claimed.Status, claimed.WorkerId));
        Assert.Null(await retraining.Claim("worker-b"));

        await retraining.Progress(run.RunId, "data", "2,000 labelled rows");
        var ended = await retraining.Complete(run.RunId, new RetrainingResult(false, "not enough labels: 12 rows"));
        Assert.Equal(RetrainingRunStatus.Failed, ended.Status);
        Assert.Equal("not enough labels: 12 rows", ended.Reason);
        Assert.Single(ended.Steps!);

        // Completing twice changes nothing; the queue is empty again.
        Assert.Equal(RetrainingRunStatus.Failed, (await retraining.Complete(run.RunId, new RetrainingResult(true, "late"))).Status);
        Assert.Null(await retraining.Claim("worker-a"));

        var actions = (await model.ReadAuditTrailAsync()).Where(e => e.Actor == "training").Select(e => e.Action).ToList();
        Assert.Equal(["retrain-requested", "retrain-request-merged", "retrain-started", "retrain-data", "retrain-failed"], actions);
        var (production, _) = await ProductionAsync(model);
        Assert.Equal("1", production);
    }

    [Fact]
    public async Task A_model_without_a_production_version_cannot_be_retrained_and_bad_policies_are_refused()
    {
        var name = $"noprod-{Guid.NewGuid():N}"[..20];
        await fixture.Grains.GetGrain<IModelGrain>(name).RegisterVersionAsync(Request(Sha('a')));
        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);

        await Assert.ThrowsAsync<LifecycleViolationException>(() => retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "x", "operator")));
        await Assert.ThrowsAsync<ModelNotFoundException>(() =>
            fixture.Grains.GetGrain<IModelRetrainingGrain>("never-registered").Request(new RetrainingTrigger(RetrainingTrigger.Manual, "x", "operator")));
        await Assert.ThrowsAsync<ArgumentException>(() => retraining.SetPolicy(RetrainingPolicyData.Default with { MinimumRows = 10 }));
        await Assert.ThrowsAsync<ArgumentException>(() => retraining.SetPolicy(RetrainingPolicyData.Default with { ShadowSampleRate = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => retraining.SetPolicy(RetrainingPolicyData.Default with { Schedule = TimeSpan.FromSeconds(5) }));
    }

    [Fact]
    public async Task Feedback_that_turns_wrong_raises_an_accuracy_alert_that_queues_a_retraining_run()
    {
        var (name, model) = await ModelInProductionAsync();
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, "1"));
        var window = TimeSpan.FromSeconds(5);
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = window, Grace = TimeSpan.Zero, MinimumLabelledRows = 1000 });

        // Four windows of right answers set the reference; then the same inputs get the opposite labels.
        var first = RollingWindows.WindowStart(DateTimeOffset.UtcNow.AddMinutes(-3), window);
        for (var i = 0; i < 8; i++)
        {
            var correct = i < 4 ? 0.97 : 0.80;
            var outcomes = Enumerable.Range(0, 600)
                .Select(row => new LabelledOutcome(first + i * window, row % 2 == 0 ? 0.9f : 0.1f, row < correct * 600 ? (row % 2 == 0 ? 1f : 0f) : (row % 2 != 0 ? 1f : 0f)))
                .ToList();
            Assert.True(await monitor.RecordOutcomes($"batch-{i}", ModelTask.BinaryClassification, outcomes));
        }

        await monitor.EvaluateClosedWindows();

        var summary = await monitor.GetSummary(TimeSpan.FromMinutes(10));
        var alerts = await monitor.GetAlerts(10);
        Assert.True(alerts.Any(a => a.Kind == AlertKind.Accuracy), $"no accuracy alert: {summary.LabelledRows} labelled rows, accuracy {summary.Accuracy}, alerts [{string.Join("; ", alerts)}], policy {await monitor.GetPolicy()}");
        var alert = Assert.Single(alerts, a => a.Kind == AlertKind.Accuracy);
        Assert.True(alert.Raised);
        Assert.Contains("(reference accuracy 97", alert.Detail);
        // What the alert compared with is in the summary too: the first two windows, 1,200 rows at 97 %.
        var reference = Assert.IsType<ReferenceOutcomes>(summary.ReferenceOutcomes);
        Assert.Equal((1200L, first + window), (reference.Rows, reference.LastWindow));
        Assert.Equal(0.97, reference.Accuracy, 2);
        var runs = await fixture.Grains.GetGrain<IModelRetrainingGrain>(name).GetRuns(10);
        var run = Assert.Single(runs);
        Assert.Equal((RetrainingTrigger.Alert, RetrainingRunStatus.Queued, "1"), (run.Trigger.Kind, run.Status, run.ParentVersion));
        Assert.Equal(alert.At, run.Trigger.DataFrom);
        var audit = (await model.ReadAuditTrailAsync()).Select(e => e.Action).ToList();
        Assert.Contains("alert:accuracy", audit);
        Assert.Contains("retrain-requested", audit);
    }

    [Fact]
    public async Task A_model_whose_config_says_nothing_of_retraining_never_queues_a_run_and_says_so_once()
    {
        var (name, model) = await ModelInProductionAsync(config: null);
        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);
        var alert = new MonitoringAlert(DateTimeOffset.UtcNow, name, "1", AlertKind.Accuracy, "outcomes", true, "accuracy fell");

        Assert.Null(await retraining.OnAlert(alert));
        Assert.Null(await retraining.OnAlert(alert with { Kind = AlertKind.FeatureDrift, At = alert.At.AddMinutes(1) }));
        var refused = await Assert.ThrowsAsync<LifecycleViolationException>(() => retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "try", "operator")));

        Assert.Equal($"model '{name}' cannot be retrained: no retraining configured: version 1's config has no 'training' section", refused.Message);
        Assert.Empty(await retraining.GetRuns(10));
        Assert.Null(await retraining.Claim("worker"));
        var said = (await model.ReadAuditTrailAsync()).Where(e => e.Actor == "training").ToList();
        var once = Assert.Single(said);
        Assert.Equal("retrain-not-configured", once.Action);
        Assert.Equal("accuracy alert not acted on: no retraining configured: version 1's config has no 'training' section", once.Reason);
    }

    private async Task<(string Name, IModelGrain Model)> ModelInProductionAsync(string? config = RetrainableConfig)
    {
        var name = $"retrain-{Guid.NewGuid():N}"[..20];
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var version = await model.RegisterVersionAsync(Request(Sha('1')) with { ServingConfigJson = config });
        await model.BeginValidationAsync(version.Version, "tester");
        await model.RecordValidationAsync(version.Version, Passed(), "tester");
        await model.PromoteAsync(version.Version, new ChangeContext("tester", "first version"));
        return (name, model);
    }

    private static async Task<(string? Production, long Revision)> ProductionAsync(IModelGrain model)
    {
        var info = await model.GetAsync();
        return (info.ProductionVersion, info.Revision);
    }
}
