using Inference;
using Microsoft.Extensions.DependencyInjection;
using Mlops.V1;
using MlopsAspire.Serving;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>Replicas load each version with the serving configuration it was registered with.</summary>
public sealed class ReplicaServingConfigurationTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private const int Callers = 32;
    private const int RequestsPerCaller = 25;

    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    [Fact]
    public async Task A_version_registered_with_max_batch_size_4_reports_it_and_never_runs_a_larger_batch()
    {
        var name = ControlPlaneHost.UniqueModelName("batched");
        var onnx = TestOnnxModels.AddBias(11f);
        var metadata = Uploads.Metadata(name, onnx);
        // A queue delay lets batches fill up to whatever the limit is, so a limit that is not applied shows.
        metadata.ServingConfigJson = """{ "max_batch_size": 4, "dynamic_batching": { "max_queue_delay_microseconds": 2000 } }""";
        var version = (await Operator.RegisterAsync(metadata, onnx)).Version.Version;
        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = version });

        await using var replica = await ControlPlaneReplica.StartAsync(host);
        var repository = replica.Services.GetRequiredService<ModelRepository>();
        await Until(() => repository.IsModelReady(name, null), $"{name} served");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(replica.Channel);

        var config = await client.ModelConfigAsync(new ModelConfigRequest { Name = name });
        Assert.Equal(4, config.Config.MaxBatchSize);
        Assert.Equal(2000UL, config.Config.DynamicBatching.MaxQueueDelayMicroseconds);

        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async caller =>
        {
            for (var i = 0; i < RequestsPerCaller; i++)
            {
                var request = new ModelInferRequest { ModelName = name };
                var input = new ModelInferRequest.Types.InferInputTensor { Name = TestOnnxModels.InputName, Datatype = "FP32", Shape = { 1, TestOnnxModels.Features } };
                input.Contents = new InferTensorContents { Fp32Contents = { caller, i, 0, 1 } };
                request.Inputs.Add(input);
                var response = await client.ModelInferAsync(request);
                Assert.Equal([caller + 11f, i + 11f, 11f, 12f], response.Outputs[0].Contents.Fp32Contents);
            }
        }));

        var statistics = Assert.Single((await client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = name })).ModelStats);
        Assert.Equal((ulong)(Callers * RequestsPerCaller), statistics.InferenceCount);
        Assert.NotEmpty(statistics.BatchStats);
        Assert.All(statistics.BatchStats, batch => Assert.InRange(batch.BatchSize, 1UL, 4UL));
    }
}
