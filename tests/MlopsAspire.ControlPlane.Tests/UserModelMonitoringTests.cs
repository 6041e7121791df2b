using Google.Protobuf.WellKnownTypes;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.FraudData;
using MlopsAspire.Serving;
using MlopsAspire.Training;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// A model the platform did not train (x FP32 [-1, 3] to p FP32 [-1, 1]), registered with its contract and served by
/// a real replica: its traffic is profiled under the contract's feature names, labels sent as feedback become live
/// accuracy, and a shadow version registered without a config of its own is compared with production.
/// </summary>
public sealed class UserModelMonitoringTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private const string Config = """
        { "task": "binary-classification", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } }, "outputs": { "score": "p" } }
        """;

    private static readonly float[] Weights = [1.5f, -1f, 0.5f];

    [Fact]
    public async Task Labels_become_live_accuracy_drift_names_the_features_and_a_shadow_without_a_config_is_compared()
    {
        var name = ControlPlaneHost.UniqueModelName("weather");
        var monitoring = host.MonitoringClient(ControlPlaneHost.OperatorKey);
        await using var replica = await ServeWithShadowAsync(name, TestOnnxModels.Logistic(Weights), Config, TestOnnxModels.Logistic([1.4f, -1f, 0.6f]));
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(replica.Channel);

        var random = new Random(7);
        var feedback = new FeedbackRequest { ModelName = name, BatchId = "labels" };
        for (var i = 0; i < 300; i++)
        {
            var request = new ModelInferRequest { ModelName = name, Id = $"r{i}" };
            var rows = Enumerable.Range(0, 8).Select(_ => new[] { (float)random.NextDouble() * 4 - 2, (float)random.NextDouble() * 4 - 2, (float)random.NextDouble() * 4 - 2 }).ToArray();
            var input = new ModelInferRequest.Types.InferInputTensor { Name = TestOnnxModels.InputName, Datatype = "FP32", Shape = { rows.Length, 3 }, Contents = new() };
            input.Contents.Fp32Contents.AddRange(rows.SelectMany(row => row));
            request.Inputs.Add(input);
            await client.ModelInferAsync(request);
            feedback.Items.Add(new FeedbackItem { RequestId = request.Id, Labels = { rows.Select(row => row[0] * Weights[0] + row[1] * Weights[1] + row[2] * Weights[2] > 0 ? 1f : 0f) } });
        }

        var production = await LabelledAndComparedAsync(monitoring, feedback, requests: 300);

        Assert.Equal(2400, production.LabelledRows);
        Assert.Equal(1.0, production.Accuracy, 3);
        // Profiled as the contract names them: its features, and the score output as the prediction.
        var profile = await host.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, "1")).GetReferenceProfile();
        Assert.Equal(["temp_max", "temp_min", "wind"], profile!.Features.Select(f => f.Name));
        Assert.Equal("p", Assert.Single(profile.Predictions).Name);
        Assert.InRange(production.Shadows.Single(s => s.ShadowVersion == "2").Agreement, 0.8, 1.0);
    }

    [Fact]
    public async Task The_fraud_demo_gets_live_accuracy_from_numeric_labels_and_a_shadow_without_a_config_is_compared()
    {
        var name = ControlPlaneHost.UniqueModelName("fraud");
        var monitoring = host.MonitoringClient(ControlPlaneHost.OperatorKey);
        await using var replica = await ServeWithShadowAsync(name, DemoModels.TrainFraud().OnnxModel, DemoModels.FraudConfigJson, DemoModels.TrainFraud(seed: 43).OnnxModel);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(replica.Channel);

        var generator = new FraudDataGenerator(new FraudDataOptions { Seed = 3 });
        var feedback = new FeedbackRequest { ModelName = name, BatchId = "labels" };
        for (var i = 0; i < 120; i++)
        {
            var rows = generator.Generate(20).ToArray();
            var request = FraudInferRequests.For(name, $"t{i}", rows);
            await client.ModelInferAsync(request);
            feedback.Items.Add(new FeedbackItem { RequestId = request.Id, Labels = { rows.Select(row => row.IsFraud ? 1f : 0f) } });
        }

        var production = await LabelledAndComparedAsync(monitoring, feedback, requests: 120);

        Assert.Equal(2400, production.LabelledRows);
        Assert.InRange(production.Accuracy, 0.9, 1.0);
        Assert.InRange(production.Shadows.Single(s => s.ShadowVersion == "2").Agreement, 0.9, 1.0);
    }

    /// <summary>
    /// Version 1 with <paramref name="config"/> in production, version 2 without a config shadowing all of its traffic,
    /// and a replica serving both.
    /// </summary>
    private async Task<ControlPlaneReplica> ServeWithShadowAsync(string name, byte[] production, string config, byte[] candidate)
    {
        var management = host.Client(ControlPlaneHost.OperatorKey);
        var metadata = Uploads.Metadata(name, production);
        metadata.ServingConfigJson = config;
        await management.RegisterAsync(metadata, production);
        await management.PromoteAsync(new PromoteRequest { Name = name, Version = "1" });
        await management.RegisterAsync(Uploads.Metadata(name, candidate), candidate);
        await management.SetShadowAsync(new SetShadowRequest { Name = name, Version = "2", SampleRate = 1.0 });

        var replica = await ControlPlaneReplica.StartAsync(host);
        var repository = replica.Services.GetRequiredService<ModelRepository>();
        await Until(() => repository.IsModelReady(name, "2"), $"{name} version 2 served");
        return replica;
    }

    /// <summary>
    /// Sends the labels once production's profile exists (every request must join), then waits until production shows
    /// live metrics and a comparison with shadow version 2.
    /// </summary>
    private static async Task<VersionStats> LabelledAndComparedAsync(ModelMonitoring.ModelMonitoringClient monitoring, FeedbackRequest feedback, int requests)
    {
        var statsRequest = new GetStatsRequest { ModelName = feedback.ModelName, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
        await Until(async () => (await monitoring.GetStatsAsync(statsRequest)).Versions.Any(v => v.Version == "1" && v.HasReferenceProfile), "a reference profile built from production");
        var sent = await monitoring.SendFeedbackAsync(feedback);
        Assert.True(sent.Joined == requests, sent.ToString());

        VersionStats? production = null;
        await Until(async () =>
        {
            production = (await monitoring.GetStatsAsync(statsRequest)).Versions.Single(v => v.Version == "1");
            return production.LabelledRows > 0 && production.Shadows.Any(s => s.ShadowVersion == "2" && s.Compared > 50);
        }, "live metrics and a comparison with the shadow");
        return production!;
    }
}
