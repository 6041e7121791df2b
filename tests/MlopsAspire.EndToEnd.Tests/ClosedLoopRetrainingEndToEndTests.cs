using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using Mlops.V1;
using MlopsAspire.Cli.Scenarios;
using Xunit.Abstractions;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// `mlops scenario drift`, accelerated: labelled traffic on fraud, then concept drift. The platform must notice it
/// from feedback alone, retrain on labelled production rows, shadow the candidate, promote it through the gates,
/// and bring production accuracy back within 2 points of where it was, leaving an audit trail and lineage behind.
/// </summary>
[Collection(AcceleratedPlatformCollection.Name)]
public sealed class ClosedLoopRetrainingEndToEndTests(AcceleratedPlatformFixture platform, ITestOutputHelper output)
{
    [Fact]
    public async Task Concept_drift_is_detected_retrained_shadowed_promoted_and_production_accuracy_recovers()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        using var inference = GrpcChannel.ForAddress(platform.App.GetEndpoint("inference", "grpc"));
        using var controlPlane = GrpcChannel.ForAddress(platform.App.GetEndpoint("control-plane", "grpc"));
        var scenario = new DriftScenario(inference, controlPlane, PlatformFixture.OperatorKey, new DriftScenarioOptions
        {
            RequestsPerSecond = 50,
            RowsPerRequest = 16,
            Warmup = TimeSpan.FromSeconds(5),
            SteadyDuration = TimeSpan.FromSeconds(25),
            TotalDuration = TimeSpan.FromSeconds(170),
            StopAfterRecovery = TimeSpan.FromSeconds(20),
            FeedbackDelay = TimeSpan.FromSeconds(1),
            FeedbackInterval = TimeSpan.FromMilliseconds(500),
            BucketWidth = TimeSpan.FromSeconds(5),
            PollInterval = TimeSpan.FromSeconds(1),
        });

        // What `mlops scenario drift` sets: retrain on accuracy alerts (6,000 labelled rows since the alert), shadow
        // the candidate, promote it when it is at least as accurate as production on the same requests.
        await scenario.ConfigureClosedLoopAsync(new ClosedLoopPolicies());
        var result = await scenario.RunAsync();

        var timeline = string.Join(Environment.NewLine, result.Buckets.Select(b => $"{b.Start} {b.Concept} acc {b.Accuracy:F4} auc {b.Auc:F3} rows {b.Rows}"))
            + Environment.NewLine + string.Join(Environment.NewLine, result.Events.Select(e => e.ToString()));
        output.WriteLine($"drift at {result.DriftStartedAt}, production {result.InitialProductionVersion} -> {result.NewProductionVersion} at {result.ProductionChangedAt}; " +
            $"accuracy {result.PreDriftAccuracy:P2} before, {result.PostRecoveryAccuracy:P2} after; AUC {result.PreDrift.Auc:F3} before, {result.PostRecovery.Auc:F3} after; " +
            $"{result.RequestsSucceeded}/{result.RequestsSent} requests succeeded in {result.Elapsed}");
        output.WriteLine(timeline);
        Assert.True(result.NewProductionVersion is not null, $"production never changed; timeline:{Environment.NewLine}{timeline}");
        Assert.True(result.Recovered, $"accuracy {result.PostRecoveryAccuracy:P2} after recovery vs {result.PreDriftAccuracy:P2} before drift; timeline:{Environment.NewLine}{timeline}");
        Assert.True(result.PostRecovery.Auc > result.PreDrift.Auc - 0.05, $"AUC {result.PostRecovery.Auc:F3} after recovery vs {result.PreDrift.Auc:F3} before drift");
        Assert.True(result.RequestsSucceeded > 0.99 * result.RequestsSent, $"{result.RequestsSent - result.RequestsSucceeded} of {result.RequestsSent} requests failed");

        // The run: triggered by the accuracy alert, trained on rows predicted after it, candidate registered.
        var retraining = await management.GetRetrainingAsync(new GetRetrainingRequest { Name = "fraud" });
        var run = Assert.Single(retraining.Runs, r => r.CandidateVersion == result.NewProductionVersion);
        Assert.Equal(("alert", "succeeded", result.InitialProductionVersion), (run.Trigger, run.Status, run.ParentVersion));
        Assert.Contains("accuracy alert", run.TriggerDetail);

        // Lineage of the new production version.
        var version = await management.GetVersionAsync(new GetVersionRequest { Name = "fraud", Version = result.NewProductionVersion });
        Assert.Equal(result.InitialProductionVersion, version.Lineage.ParentVersion);
        Assert.Equal("mlnet-fasttree", version.Lineage.Trainer);
        Assert.True(version.Lineage.HasSeed);
        Assert.True(version.Lineage.TrainingRows >= 6000, $"trained on {version.Lineage.TrainingRows} rows");
        Assert.True(version.Lineage.HasReferenceProfile);
        Assert.Contains("NumberOfTrees", version.Lineage.Parameters.Keys);
        Assert.Contains(run.RunId, version.Lineage.Trigger);
        Assert.True(version.Lineage.TrainingData.From.ToDateTimeOffset() < version.Lineage.TrainingData.To.ToDateTimeOffset());
        Assert.True(version.OfflineMetrics["auc"] > version.OfflineMetrics["parent_auc"], "the candidate beat its parent on the shared holdout");

        // The audit trail tells the story in order.
        var audit = (await management.GetAuditLogAsync(new GetAuditLogRequest { Name = "fraud", PageSize = 1000 })).Events;
        var events = audit.ToList();
        var cursor = -1;
        foreach (var action in new[] { "alert:accuracy", "retrain-requested", "retrain-started", "retrain-succeeded", "promote" })
        {
            cursor = events.FindIndex(cursor + 1, e => e.Action == action);
            Assert.True(cursor >= 0, $"no '{action}' in order in the audit trail: {string.Join(", ", events.Select(e => $"{e.Actor}:{e.Action}:{e.Version}"))}");
        }

        var promotion = audit.Last(e => e.Action.StartsWith("promote", StringComparison.Ordinal));
        Assert.Equal(("promotion-gate", result.NewProductionVersion), (promotion.Actor, promotion.Version));
    }

    [Fact]
    public async Task A_model_whose_config_says_nothing_of_retraining_gets_no_run_and_production_stays()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var before = await management.GetModelAsync(new GetModelRequest { Name = "resnet18" });

        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await management.RequestRetrainingAsync(new RequestRetrainingRequest { Name = "resnet18", Reason = "try it" }));

        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("no retraining configured", refused.Status.Detail);
        Assert.Empty((await management.GetRetrainingAsync(new GetRetrainingRequest { Name = "resnet18" })).Runs);
        var after = await management.GetModelAsync(new GetModelRequest { Name = "resnet18" });
        Assert.Equal(before.ProductionVersion, after.ProductionVersion);
        Assert.Equal(before.Versions.Count, after.Versions.Count);
    }
}
