using Grpc.Core;
using Inference;

namespace MlopsAspire.Inference.Tests;

/// <summary>The statistics extension reports what the engine counted, per loaded model version.</summary>
public sealed class ModelStatisticsTests(FraudServerFixture server) : IClassFixture<FraudServerFixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = server.Client;

    [Fact]
    public async Task Successes_failures_inferences_and_executions_are_counted()
    {
        const int Requests = 12;
        const int RowsPerRequest = 3;
        var before = await StatisticsOf("fraud", "1");

        for (var i = 0; i < Requests; i++)
        {
            var request = FraudRequests.Raw(FraudRequests.Rows(RowsPerRequest, seed: i), FraudRequests.Probability);
            request.ModelVersion = "1";
            await _client.ModelInferAsync(request);
        }

        var bad = FraudRequests.Typed(FraudRequests.Rows(1));
        bad.ModelVersion = "1";
        bad.Inputs[0].Datatype = "FP64";
        await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(bad));

        var after = await StatisticsOf("fraud", "1");
        Assert.Equal("fraud", after.Name);
        Assert.Equal("1", after.Version);
        Assert.Equal((ulong)Requests, after.InferenceStats.Success.Count - before.InferenceStats.Success.Count);
        Assert.True(after.InferenceStats.Success.Ns > before.InferenceStats.Success.Ns);
        Assert.Equal(1UL, after.InferenceStats.Fail.Count - before.InferenceStats.Fail.Count);
        Assert.True(after.InferenceCount - before.InferenceCount >= Requests);
        Assert.True(after.ExecutionCount - before.ExecutionCount >= 1);
        Assert.True(after.LastInference > 0);
        Assert.NotEmpty(after.BatchStats);
        Assert.Equal(after.ExecutionCount, after.BatchStats.Aggregate(0UL, (sum, batch) => sum + batch.ComputeInfer.Count));
    }

    [Fact]
    public async Task No_name_reports_every_loaded_version_and_a_name_alone_every_version_of_it()
    {
        var all = await _client.ModelStatisticsAsync(new ModelStatisticsRequest());
        Assert.Equal(["fraud:1", "fraud:2", "half:1"], all.ModelStats.Select(stats => $"{stats.Name}:{stats.Version}").Order());

        var fraud = await _client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "fraud" });
        Assert.Equal(["1", "2"], fraud.ModelStats.Select(stats => stats.Version));
    }

    [Fact]
    public async Task Unknown_models_and_versions_are_not_found_and_named()
    {
        var model = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, model.StatusCode);
        Assert.Contains("model 'nope' is not served; served models: fraud, half", model.Status.Detail);

        var version = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "fraud", Version = "9" }));
        Assert.Equal(StatusCode.NotFound, version.StatusCode);
        Assert.Contains("model 'fraud' has no version '9'; loaded versions: 1, 2", version.Status.Detail);
    }

    private async Task<ModelStatistics> StatisticsOf(string model, string version) =>
        Assert.Single((await _client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = model, Version = version })).ModelStats);
}
