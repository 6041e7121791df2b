using System.Net;
using Grpc.Core;
using Inference;

namespace MlopsAspire.Inference.Tests;

/// <summary>Explicit model control over a local model folder: index, unload and load by name.</summary>
public sealed class ModelRepositoryTests(ModelControlServerFixture server) : IClassFixture<ModelControlServerFixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = server.Client;

    [Fact]
    public async Task Index_lists_every_version_of_the_folder_as_ready()
    {
        var index = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        Assert.Equal(
            ["fraud/1 READY", "fraud/2 READY", "half/1 READY"],
            index.Models.Select(model => $"{model.Name}/{model.Version} {model.State}"));
    }

    [Fact]
    public async Task Unloaded_models_stop_serving_until_loaded_again()
    {
        await _client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "fraud" });
        try
        {
            Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud" })).Ready);
            Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud", Version = "1" })).Ready);
            var exception = await Assert.ThrowsAsync<RpcException>(async () =>
                await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1))));
            Assert.Equal(StatusCode.NotFound, exception.StatusCode);
            Assert.Contains("model 'fraud' is not served; served models: half", exception.Status.Detail);

            var index = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());
            Assert.Equal(
                ["fraud/1 UNAVAILABLE unloaded", "fraud/2 UNAVAILABLE unloaded", "half/1 READY "],
                index.Models.Select(model => $"{model.Name}/{model.Version} {model.State} {model.Reason}"));
            var readyOnly = await _client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });
            Assert.Equal(["half"], readyOnly.Models.Select(model => model.Name));
            Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        }
        finally
        {
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });
        }

        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud" })).Ready);
        var response = await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1), FraudRequests.Probability));
        Assert.Equal("2", response.ModelVersion);
    }

    [Fact]
    public async Task Load_reads_the_model_folder_again()
    {
        server.WriteFraudVersion("3");
        try
        {
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });

            var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" });
            Assert.Equal(["1", "2", "3"], metadata.Versions);
            var response = await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1), FraudRequests.Probability));
            Assert.Equal("3", response.ModelVersion);
        }
        finally
        {
            Directory.Delete(Path.Combine(server.ModelRoot, "fraud", "3"), recursive: true);
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });
        }

        Assert.Equal(["1", "2"], (await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" })).Versions);
    }

    [Fact]
    public async Task The_version_policy_in_config_json_picks_the_versions_served()
    {
        var config = Path.Combine(server.ModelRoot, "fraud", "config.json");
        server.WriteFraudVersion("3");
        try
        {
            File.WriteAllText(config, "{\"version_policy\": {\"latest\": 2}}");
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });
            Assert.Equal(["2", "3"], (await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" })).Versions);

            File.WriteAllText(config, "{\"version_policy\": {\"specific\": [1]}}");
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });
            Assert.Equal(["1"], (await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" })).Versions);
            var response = await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1), FraudRequests.Probability));
            Assert.Equal("1", response.ModelVersion);
        }
        finally
        {
            File.Delete(config);
            Directory.Delete(Path.Combine(server.ModelRoot, "fraud", "3"), recursive: true);
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });
        }

        Assert.Equal(["1", "2"], (await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" })).Versions);
    }

    [Fact]
    public async Task Requests_in_flight_during_an_unload_finish_or_are_not_found()
    {
        var requests = Enumerable.Range(0, 64).Select(async i =>
        {
            try
            {
                await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(16, seed: i), FraudRequests.Probability));
                return StatusCode.OK;
            }
            catch (RpcException exception)
            {
                return exception.StatusCode;
            }
        }).ToList();

        await _client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "fraud" });
        var statuses = await Task.WhenAll(requests);
        await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "fraud" });

        Assert.All(statuses, status => Assert.Contains(status, new[] { StatusCode.OK, StatusCode.NotFound }));
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud" })).Ready);
    }

    [Fact]
    public async Task Models_outside_the_folder_are_not_found_and_the_folder_contents_named()
    {
        var load = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "nope" }));
        Assert.Equal(StatusCode.NotFound, load.StatusCode);
        Assert.Contains("model 'nope' is not in the model repository", load.Status.Detail);
        Assert.Contains("models there: fraud, half", load.Status.Detail);

        var unload = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "nope" }));
        Assert.Equal(StatusCode.NotFound, unload.StatusCode);

        var escape = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "../fraud" }));
        Assert.Equal(StatusCode.InvalidArgument, escape.StatusCode);
    }

    [Fact]
    public async Task Rest_repository_routes_unload_and_load_too()
    {
        var unload = await server.Http.PostAsync("/v2/repository/models/half/unload", content: null);
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.GetAsync("/v2/models/half/ready")).StatusCode);

        var load = await server.Http.PostAsync("/v2/repository/models/half/load", content: null);
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/v2/models/half/ready")).StatusCode);

        var index = await server.Http.PostAsync("/v2/repository/index", new StringContent("{\"ready\": true}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("\"name\":\"half\"", await index.Content.ReadAsStringAsync());
    }
}
