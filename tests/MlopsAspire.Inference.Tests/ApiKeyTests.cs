using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Inference.Security;

namespace MlopsAspire.Inference.Tests;

/// <summary>With <c>Inference:ApiKeys</c> set, inference needs a known bearer key; health probes stay open.</summary>
public sealed class ApiKeyTests(ApiKeyServerFixture server) : IClassFixture<ApiKeyServerFixture>
{
    public static TheoryData<string?> RefusedKeys => new() { null, "not-the-key", "" };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task Grpc_calls_without_a_known_key_are_unauthenticated(string? key)
    {
        var metadata = await Assert.ThrowsAsync<RpcException>(() =>
            server.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "echo" }, Headers(key)).ResponseAsync);
        var infer = await Assert.ThrowsAsync<RpcException>(() => server.Client.ModelInferAsync(EchoRequest(), Headers(key)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, metadata.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, infer.StatusCode);
        Assert.Contains(key is "not-the-key" ? "not known" : "authorization: Bearer", infer.Status.Detail);
    }

    [Fact]
    public async Task Grpc_calls_with_the_key_are_served_and_health_needs_none()
    {
        var response = await server.Client.ModelInferAsync(EchoRequest(), Headers(ApiKeyServerFixture.Key));
        Assert.Equal([1f, 2f, 3f], response.Outputs[0].Contents.Fp32Contents);

        Assert.True((await server.Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await server.Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }

    [Fact]
    public void With_keys_the_check_stands_in_front_of_the_inference_service()
    {
        var service = server.Services.GetRequiredService<IOptions<GrpcServiceOptions<OpenInferenceGrpcService>>>().Value;

        Assert.Equal([typeof(InferenceApiKeyInterceptor)], service.Interceptors.Select(interceptor => interceptor.Type));
    }

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task Rest_routes_without_a_known_key_answer_401_with_an_error(string? key)
    {
        foreach (var request in new[] { Get("/v2", key), Get("/v2/models/echo", key), RestInfer(key) })
        {
            using var response = await server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"];
            Assert.Contains("key", (string?)error);
        }
    }

    [Fact]
    public async Task Rest_routes_with_the_key_are_served_and_health_needs_none()
    {
        using (var metadata = await server.Http.SendAsync(Get("/v2/models/echo", ApiKeyServerFixture.Key)))
        {
            Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        }

        using (var infer = await server.Http.SendAsync(RestInfer(ApiKeyServerFixture.Key)))
        {
            Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
            var output = JsonNode.Parse(await infer.Content.ReadAsStringAsync())!["outputs"]![0]!;
            Assert.Equal([1f, 2f, 3f], output["data"]!.AsArray().Select(node => (float)node!));
        }

        foreach (var path in new[] { "/v2/health/live", "/v2/health/ready" })
        {
            using var health = await server.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task Prometheus_metrics_are_served_on_their_own_port_without_a_key_and_that_port_serves_nothing_else()
    {
        await server.Client.ModelInferAsync(EchoRequest(), Headers(ApiKeyServerFixture.Key));
        using var metricsPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.MetricsPort}") };

        using (var scrape = await metricsPort.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.Contains("mlops_inference_requests_total{", await scrape.Content.ReadAsStringAsync());
        }

        // The series name the models, so the API ports, which admit callers by key, never serve them; and the metrics
        // port, which admits anyone the network lets through, serves neither the API nor health.
        using (var onApiPort = await server.Http.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        }

        foreach (var request in new[] { Get("/v2/models/echo", ApiKeyServerFixture.Key), Get("/v2", key: null), Get("/health", key: null) })
        {
            using var onMetricsPort = await metricsPort.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, onMetricsPort.StatusCode);
        }
    }

    private static Metadata Headers(string? key) => key is null ? [] : new Metadata { { "authorization", $"Bearer {key}" } };

    private static ModelInferRequest EchoRequest()
    {
        var request = new ModelInferRequest { ModelName = "echo" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 1, 3 }, Contents = new InferTensorContents() };
        input.Contents.Fp32Contents.Add([1f, 2f, 3f]);
        request.Inputs.Add(input);
        return request;
    }

    private static HttpRequestMessage Get(string path, string? key) => WithKey(new HttpRequestMessage(HttpMethod.Get, path), key);

    private static HttpRequestMessage RestInfer(string? key) => WithKey(new HttpRequestMessage(HttpMethod.Post, "/v2/models/echo/infer")
    {
        Content = new StringContent("""{"inputs":[{"name":"x","datatype":"FP32","shape":[1,3],"data":[1,2,3]}]}""", Encoding.UTF8, "application/json"),
    }, key);

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string? key)
    {
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
