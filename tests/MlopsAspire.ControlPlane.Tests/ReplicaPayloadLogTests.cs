using Inference;
using Microsoft.Extensions.DependencyInjection;
using Mlops.V1;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Serving;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>What a real replica logs for feedback when clients send oversized requests or reuse a request id.</summary>
public sealed class ReplicaPayloadLogTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private const string Config = """
        { "task": "binary-classification", "inputs": { "x": { "features": ["a", "b", "c"] } }, "outputs": { "score": "p" } }
        """;

    [Fact]
    public async Task An_oversized_request_is_served_but_not_logged_and_feedback_for_a_reused_id_is_rejected_as_ambiguous()
    {
        var name = ControlPlaneHost.UniqueModelName("bounded");
        var management = host.Client(ControlPlaneHost.OperatorKey);
        var model = TestOnnxModels.Logistic([1f, -1f, 0.5f]);
        var metadata = Uploads.Metadata(name, model);
        metadata.ServingConfigJson = Config;
        await management.RegisterAsync(metadata, model);
        await management.PromoteAsync(new PromoteRequest { Name = name, Version = "1" });
        // 1 KiB per payload: 64 rows of 3 features and a score (1,024 bytes) and an id do not fit.
        await using var replica = await ControlPlaneReplica.StartAsync(host, "--Inference:PayloadLog:MaxPayloadBytes=1024");
        var repository = replica.Services.GetRequiredService<ModelRepository>();
        await Until(() => repository.IsModelReady(name, "1"), $"{name} version 1 served");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(replica.Channel);

        Assert.Equal(2, await InferAsync(client, name, "small", rows: 2, value: 1f));
        Assert.Equal(64, await InferAsync(client, name, "large", rows: 64, value: 1f));
        Assert.Equal(1, await InferAsync(client, name, "reused", rows: 1, value: 1f));
        // A second sender reuses the id with other inputs: served, and its payload is not what feedback joins.
        Assert.Equal(1, await InferAsync(client, name, "reused", rows: 1, value: -1f));

        var writer = replica.Services.GetRequiredService<PayloadLogWriter>();
        await Until(() => writer.Written + writer.Duplicates == 3, "the logged payloads written");
        Assert.Equal((2L, 1L, 1L), (writer.Written, writer.Duplicates, writer.TooLarge));

        var feedback = new FeedbackRequest { ModelName = name };
        feedback.Items.Add(new FeedbackItem { RequestId = "small", Labels = { 1f, 0f } });
        feedback.Items.Add(new FeedbackItem { RequestId = "large", Labels = { Enumerable.Repeat(1f, 64) } });
        feedback.Items.Add(new FeedbackItem { RequestId = "reused", Labels = { 1f } });
        var response = await host.MonitoringClient(ControlPlaneHost.OperatorKey).SendFeedbackAsync(feedback);

        Assert.Equal(1, response.Joined);
        Assert.Equal(["large"], response.UnknownRequestIds);
        Assert.Contains("'reused' was logged 2 times under the same id", Assert.Single(response.Rejected));
    }

    private static async Task<int> InferAsync(GRPCInferenceService.GRPCInferenceServiceClient client, string name, string id, int rows, float value)
    {
        var request = new ModelInferRequest { ModelName = name, Id = id };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = TestOnnxModels.InputName,
            Datatype = "FP32",
            Shape = { rows, 3 },
            Contents = new InferTensorContents { Fp32Contents = { Enumerable.Repeat(value, rows * 3) } },
        });
        var response = await client.ModelInferAsync(request);
        return (int)response.Outputs[0].Shape[0];
    }
}
