using Grpc.Core;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>Retraining requests and policy, and registration with full lineage, over a real control plane.</summary>
public sealed class RetrainingApiTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    /// <summary>How to retrain the test model (y = x + bias): a regression of its first output column.</summary>
    private const string RetrainableConfig = """
        { "task": "regression", "inputs": { "x": { "features": ["a", "b", "c", "d"] } },
          "outputs": { "score": { "name": "y", "column": 0 } }, "training": { "trainer": "mlnet-sdca" } }
        """;

    [Fact]
    public async Task A_model_whose_config_has_no_training_section_is_refused_a_run_with_the_reason()
    {
        var name = ControlPlaneHost.UniqueModelName("retrain");
        var operatorClient = host.Client(ControlPlaneHost.OperatorKey);
        await operatorClient.RegisterAsync(name, TestOnnxModels.AddBias(5f));
        await operatorClient.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "baseline" });

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await operatorClient.RequestRetrainingAsync(new RequestRetrainingRequest { Name = name }));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal($"model '{name}' cannot be retrained: no retraining configured: version 1's config has no 'training' section", refused.Status.Detail);
        Assert.Empty((await operatorClient.GetRetrainingAsync(new GetRetrainingRequest { Name = name })).Runs);
    }

    [Fact]
    public async Task An_operator_queues_a_run_once_a_reader_sees_it_and_cannot_queue_one()
    {
        var name = ControlPlaneHost.UniqueModelName("retrain");
        var operatorClient = host.Client(ControlPlaneHost.OperatorKey);
        var content = TestOnnxModels.AddBias(1f);
        var metadata = Uploads.Metadata(name, content);
        metadata.ServingConfigJson = RetrainableConfig;
        await operatorClient.RegisterAsync(metadata, content);
        await operatorClient.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "baseline" });

        var run = await operatorClient.RequestRetrainingAsync(new RequestRetrainingRequest { Name = name, Reason = "new labels" });
        Assert.Equal(("manual", "queued", "1", "olly-operator", "new labels"), (run.Trigger, run.Status, run.ParentVersion, run.RequestedBy, run.TriggerDetail));
        var again = await operatorClient.RequestRetrainingAsync(new RequestRetrainingRequest { Name = name });
        Assert.Equal(run.RunId, again.RunId);

        var reader = host.Client(ControlPlaneHost.ReaderKey);
        var status = await reader.GetRetrainingAsync(new GetRetrainingRequest { Name = name });
        Assert.Equal(run.RunId, Assert.Single(status.Runs).RunId);
        Assert.True(status.Policy.Enabled);
        Assert.True(status.Policy.OnAccuracyAlert);

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await reader.RequestRetrainingAsync(new RequestRetrainingRequest { Name = name }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await operatorClient.RequestRetrainingAsync(new RequestRetrainingRequest { Name = "no-such-model" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var badPolicy = await Assert.ThrowsAsync<RpcException>(async () => await operatorClient.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
        {
            Name = name,
            Policy = new RetrainingPolicy { Enabled = true, MinimumRows = 5 },
        }));
        Assert.Equal(StatusCode.InvalidArgument, badPolicy.StatusCode);
        Assert.Contains("at least 100", badPolicy.Status.Detail);
    }

    [Fact]
    public async Task A_model_without_production_cannot_be_retrained()
    {
        var name = ControlPlaneHost.UniqueModelName("retrain");
        var operatorClient = host.Client(ControlPlaneHost.OperatorKey);
        await operatorClient.RegisterAsync(name, TestOnnxModels.AddBias(2f));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await operatorClient.RequestRetrainingAsync(new RequestRetrainingRequest { Name = name }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
    }

    [Fact]
    public async Task Lineage_with_a_reference_profile_is_stored_and_monitoring_measures_drift_against_it()
    {
        var name = ControlPlaneHost.UniqueModelName("lineage");
        var operatorClient = host.Client(ControlPlaneHost.OperatorKey);
        await operatorClient.RegisterAsync(name, TestOnnxModels.AddBias(3f));
        var content = TestOnnxModels.AddBias(4f);
        var metadata = Uploads.Metadata(name, content);
        metadata.Lineage = new Lineage
        {
            ParentVersion = "1",
            Trainer = "mlnet-fasttree",
            Seed = 42,
            TrainingRows = 6000,
            Trigger = "manual by test",
            ReferenceProfile = new ReferenceProfile
            {
                RowCount = 100,
                Features = { new FeatureProfile { Name = "x", Edges = { 0, 1, 2 }, Counts = { 0, 50, 50, 0 }, Mean = 1, StandardDeviation = 0.5, Minimum = 0, Maximum = 2 } },
            },
        };
        metadata.Lineage.Parameters.Add("NumberOfTrees", "100");

        var registered = await operatorClient.RegisterAsync(metadata, content);

        var lineage = registered.Version.Lineage;
        Assert.Equal(("1", "mlnet-fasttree", 42, 6000L, "manual by test"), (lineage.ParentVersion, lineage.Trainer, lineage.Seed, lineage.TrainingRows, lineage.Trigger));
        Assert.True(lineage.HasReferenceProfile);
        Assert.Null(lineage.ReferenceProfile);
        Assert.Equal("100", lineage.Parameters["NumberOfTrees"]);
        var profile = await host.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, registered.Version.Version)).GetReferenceProfile();
        Assert.Equal("x", Assert.Single(profile!.Features).Name);

        var malformed = Uploads.Metadata(name, TestOnnxModels.AddBias(5f));
        malformed.Lineage = new Lineage
        {
            ReferenceProfile = new ReferenceProfile { Features = { new FeatureProfile { Name = "x", Edges = { 0, 1 }, Counts = { 1 } } } },
        };
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await operatorClient.RegisterAsync(malformed, TestOnnxModels.AddBias(5f)));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("counts must be edges + 1", refused.Status.Detail);
        Assert.Single((await operatorClient.GetModelAsync(new GetModelRequest { Name = name })).Versions, v => v.Version == registered.Version.Version);
        Assert.Equal(2, (await operatorClient.GetModelAsync(new GetModelRequest { Name = name })).Versions.Count);
    }
}
