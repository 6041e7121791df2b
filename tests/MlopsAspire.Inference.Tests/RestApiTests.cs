using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference;
using MlopsAspire.FraudData;
using MlopsAspire.Inference.Protocol;

namespace MlopsAspire.Inference.Tests;

/// <summary>The KServe v2 REST API on the HTTP/1.1 endpoint, answering as the gRPC service does.</summary>
public sealed class RestApiTests(RestServerFixture server) : IClassFixture<RestServerFixture>
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Server_metadata_names_the_server_and_its_extensions()
    {
        var metadata = await GetJsonAsync("/v2", HttpStatusCode.OK);

        Assert.Equal("mlopsaspire", (string?)metadata["name"]);
        Assert.False(string.IsNullOrEmpty((string?)metadata["version"]));
        Assert.Equal(["model_configuration", "statistics", "binary_tensor_data", "model_repository"], metadata["extensions"]!.AsArray().Select(node => (string?)node));
    }

    [Fact]
    public async Task Prometheus_metrics_are_off_unless_a_port_is_configured()
    {
        using var response = await _http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Model_metadata_matches_the_grpc_metadata()
    {
        var grpc = await server.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" });

        foreach (var path in new[] { "/v2/models/fraud", "/v2/models/fraud/versions/1" })
        {
            var metadata = await GetJsonAsync(path, HttpStatusCode.OK);
            Assert.Equal("fraud", (string?)metadata["name"]);
            Assert.Equal(["1", "2"], metadata["versions"]!.AsArray().Select(node => (string?)node));
            Assert.Equal("onnxruntime_onnx", (string?)metadata["platform"]);
            var input = Assert.Single(metadata["inputs"]!.AsArray());
            Assert.Equal(FraudRequests.Input, (string?)input!["name"]);
            Assert.Equal("FP32", (string?)input["datatype"]);
            Assert.Equal([-1L, FraudFeatures.Count], input["shape"]!.AsArray().Select(node => (long)node!));
            Assert.Equal(grpc.Outputs.Select(output => output.Name), metadata["outputs"]!.AsArray().Select(node => (string?)node!["name"]));
        }
    }

    [Fact]
    public async Task Model_config_names_datatypes_as_triton_does()
    {
        var config = await GetJsonAsync("/v2/models/text/config", HttpStatusCode.OK);

        Assert.Equal("text", (string?)config["name"]);
        Assert.Equal(0, (int)config["max_batch_size"]!);
        var input = Assert.Single(config["input"]!.AsArray())!;
        Assert.Equal("s", (string?)input["name"]);
        Assert.Equal("TYPE_STRING", (string?)input["data_type"]);
        // BYTES tensors are not batched, so the dims are the full shape.
        Assert.Equal([-1L], input["dims"]!.AsArray().Select(node => (long)node!));
        Assert.Null(config["dynamic_batching"]);
        // How many executions run at once, and why, as the gRPC ModelConfig says it.
        var group = Assert.Single(config["instance_group"]!.AsArray())!;
        Assert.Equal((1, "KIND_CPU"), ((int)group["count"]!, (string?)group["kind"]));
        Assert.False(string.IsNullOrEmpty((string?)config["parameters"]![ModelConfigDescription.ExecutionPlanParameter]!["string_value"]));
    }

    [Fact]
    public async Task Readiness_is_the_status_code()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/fraud/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/models/fraud/versions/1/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/v2/models/fraud/versions/7/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/v2/models/nope/ready")).StatusCode);
    }

    [Fact]
    public async Task Json_inference_returns_the_numbers_grpc_returns()
    {
        var rows = FraudRequests.Rows(5, seed: 31);
        var grpc = await server.Client.ModelInferAsync(FraudRequests.Typed(rows, FraudRequests.Probability, FraudRequests.Score));

        // Nested rows and a flat list are the same row-major tensor.
        var nested = new JsonArray([.. rows.Select(row => new JsonArray([.. row.Features.Select(value => JsonValue.Create(value))]))]);
        var flat = new JsonArray([.. rows.SelectMany(row => row.Features).Select(value => JsonValue.Create(value))]);
        foreach (var data in new[] { nested, flat })
        {
            var body = new JsonObject
            {
                ["id"] = "rest-1",
                ["inputs"] = new JsonArray(new JsonObject
                {
                    ["name"] = FraudRequests.Input,
                    ["shape"] = new JsonArray(rows.Count, FraudFeatures.Count),
                    ["datatype"] = "FP32",
                    ["data"] = data.DeepClone(),
                }),
                ["outputs"] = new JsonArray(new JsonObject { ["name"] = FraudRequests.Probability }, new JsonObject { ["name"] = FraudRequests.Score }),
            };

            var response = await PostJsonAsync("/v2/models/fraud/infer", body, HttpStatusCode.OK);

            Assert.Equal("fraud", (string?)response["model_name"]);
            Assert.Equal("2", (string?)response["model_version"]);
            Assert.Equal("rest-1", (string?)response["id"]);
            var outputs = response["outputs"]!.AsArray();
            Assert.Equal(grpc.Outputs.Count, outputs.Count);
            for (var i = 0; i < outputs.Count; i++)
            {
                Assert.Equal(grpc.Outputs[i].Name, (string?)outputs[i]!["name"]);
                Assert.Equal("FP32", (string?)outputs[i]!["datatype"]);
                Assert.Equal(grpc.Outputs[i].Shape, outputs[i]!["shape"]!.AsArray().Select(node => (long)node!));
                Assert.Equal(grpc.Outputs[i].Contents.Fp32Contents, outputs[i]!["data"]!.AsArray().Select(node => (float)node!));
            }
        }
    }

    [Fact]
    public async Task Pinned_versions_fp16_and_bytes_travel_as_json_values()
    {
        var half = await PostJsonAsync("/v2/models/half/versions/1/infer", Request("x", "FP16", [1, 3], new JsonArray(1.5, -2, 0.25)), HttpStatusCode.OK);
        var halfOutput = half["outputs"]![0]!;
        Assert.Equal("FP16", (string?)halfOutput["datatype"]);
        Assert.Equal([1.5, -2, 0.25], halfOutput["data"]!.AsArray().Select(node => (double)node!));

        var text = await PostJsonAsync("/v2/models/text/infer", Request("s", "BYTES", [2], new JsonArray("héllo", "wörld")), HttpStatusCode.OK);
        var textOutput = text["outputs"]![0]!;
        Assert.Equal("BYTES", (string?)textOutput["datatype"]);
        Assert.Equal(["héllo", "wörld"], textOutput["data"]!.AsArray().Select(node => (string?)node));
    }

    [Fact]
    public async Task Binary_tensor_data_goes_in_and_out_after_the_json_header()
    {
        var rows = FraudRequests.Rows(4, seed: 32);
        var grpc = await server.Client.ModelInferAsync(FraudRequests.Raw(rows, FraudRequests.Probability, FraudRequests.Score));
        var features = rows.SelectMany(row => row.Features).ToArray();
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = FraudRequests.Input,
                ["shape"] = new JsonArray(rows.Count, FraudFeatures.Count),
                ["datatype"] = "FP32",
                ["parameters"] = new JsonObject { ["binary_data_size"] = features.Length * sizeof(float) },
            }),
            ["outputs"] = new JsonArray(
                new JsonObject { ["name"] = FraudRequests.Probability, ["parameters"] = new JsonObject { ["binary_data"] = true } },
                new JsonObject { ["name"] = FraudRequests.Score }),
        };
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        var content = new ByteArrayContent([.. headerBytes, .. MemoryMarshal.AsBytes(features.AsSpan())]);
        content.Headers.Add("Inference-Header-Content-Length", headerBytes.Length.ToString(CultureInfo.InvariantCulture));

        var response = await _http.PostAsync("/v2/models/fraud/infer", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jsonLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), CultureInfo.InvariantCulture);
        var body = await response.Content.ReadAsByteArrayAsync();
        var json = JsonNode.Parse(body.AsSpan(0, jsonLength))!;
        var probability = json["outputs"]![0]!;
        Assert.Equal(FraudRequests.Probability, (string?)probability["name"]);
        Assert.Equal(rows.Count * sizeof(float), (int)probability["parameters"]!["binary_data_size"]!);
        Assert.Null(probability["data"]);
        Assert.Equal(FraudRequests.RawFloats(grpc, 0), MemoryMarshal.Cast<byte, float>(body.AsSpan(jsonLength)).ToArray());
        var score = json["outputs"]![1]!;
        Assert.Equal(FraudRequests.RawFloats(grpc, 1), score["data"]!.AsArray().Select(node => (float)node!));
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request_that_says_why()
    {
        var response = await _http.PostAsync("/v2/models/fraud/infer", new StringContent("{\"inputs\": [", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the request body is not valid JSON", await ErrorOf(response));
    }

    [Fact]
    public async Task Compressed_body_is_refused_as_unsupported_not_as_bad_json()
    {
        var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await _http.PostAsync("/v2/models/fraud/infer", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Content-Encoding 'gzip' is not supported; send the body uncompressed (binary tensor data keeps large inputs compact)", await ErrorOf(response));
    }

    [Fact]
    public async Task Element_of_the_wrong_type_is_named()
    {
        var body = Request(FraudRequests.Input, "FP32", [1, 2], new JsonArray(1.5, "two"));

        var response = await PostJsonAsync("/v2/models/fraud/infer", body, HttpStatusCode.BadRequest);

        Assert.Equal("input 'Features' element 1 is \"two\", which is not a FP32 value", (string?)response["error"]);
    }

    [Fact]
    public async Task Bodies_read_as_written_without_html_escapes()
    {
        // What curl prints: the raw body, not a parsed one, so quotes and accents must not come as \u0027 or \u00E9.
        using var error = await _http.PostAsync("/v2/models/nope/infer", new StringContent("""{"inputs":[]}""", Encoding.UTF8, "application/json"));
        Assert.Equal("""{"error":"model 'nope' is not served; served models: fraud, half, text"}""", await error.Content.ReadAsStringAsync());

        var request = Request("s", "BYTES", [2], new JsonArray("héllo <b>", "say \"hi\"\n"));
        using var text = await _http.PostAsync("/v2/models/text/infer", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await text.Content.ReadAsStringAsync();
        Assert.Contains("\"data\":[\"héllo <b>\",\"say \\\"hi\\\"\\n\"]", body);
    }

    [Fact]
    public async Task Members_come_in_any_order_data_before_shape()
    {
        var rows = FraudRequests.Rows(2, seed: 33);
        var grpc = await server.Client.ModelInferAsync(FraudRequests.Typed(rows, FraudRequests.Probability));
        var data = string.Join(',', rows.SelectMany(row => row.Features).Select(value => value.ToString("R", CultureInfo.InvariantCulture)));
        var body = $$"""
            {"outputs":[{"name":"{{FraudRequests.Probability}}"}],
             "inputs":[{"data":[{{data}}],"shape":[{{rows.Count}},{{FraudFeatures.Count}}],"datatype":"FP32","name":"{{FraudRequests.Input}}"}],
             "id":"last"}
            """;

        using var response = await _http.PostAsync("/v2/models/fraud/infer", new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var json = JsonNode.Parse(text)!;
        Assert.Equal("last", (string?)json["id"]);
        Assert.Equal(grpc.Outputs[0].Contents.Fp32Contents, json["outputs"]![0]!["data"]!.AsArray().Select(node => (float)node!));
    }

    [Fact]
    public async Task Data_longer_than_its_shape_is_refused_at_the_first_value_too_many()
    {
        // Ten million values for a shape of twelve, ending in one that is no number: the reading stops at the
        // thirteenth value, so the refusal names it and never reaches the bad one.
        var body = new StringBuilder($$"""{"inputs":[{"name":"{{FraudRequests.Input}}","datatype":"FP32","shape":[1,{{FraudFeatures.Count}}],"data":[""");
        body.Insert(body.Length, "0.5,", 10_000_000);
        body.Append("\"x\"]}]}");

        using var response = await _http.PostAsync("/v2/models/fraud/infer", new StringContent(body.ToString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            $"input 'Features' has more values in data than the {FraudFeatures.Count} its shape declares; element {FraudFeatures.Count} is one too many",
            await ErrorOf(response));
    }

    [Fact]
    public async Task Elements_of_every_kind_are_named_in_nested_data()
    {
        var nested = new JsonArray(new JsonArray(1, 2), new JsonArray(3, new JsonObject { ["v"] = 4 }));
        var response = await PostJsonAsync("/v2/models/fraud/infer", Request(FraudRequests.Input, "FP32", [2, 2], nested), HttpStatusCode.BadRequest);
        Assert.Equal("input 'Features' element 3 is {\"v\":4}, which is not a FP32 value", (string?)response["error"]);

        var quoted = await PostJsonAsync("/v2/models/half/infer", Request("x", "FP16", [1, 2], new JsonArray(1, "1.5")), HttpStatusCode.BadRequest);
        Assert.Equal("input 'x' element 1 is \"1.5\", which is not a FP16 value", (string?)quoted["error"]);

        var lone = await _http.PostAsync("/v2/models/text/infer", new StringContent("""{"inputs":[{"name":"s","datatype":"BYTES","shape":[2],"data":["a","\ud800"]}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, lone.StatusCode);
        Assert.Equal("input 's' element 1 is \"\\ud800\", which is not a BYTES value", await ErrorOf(lone));
    }

    [Fact]
    public async Task Engine_errors_carry_the_grpc_messages()
    {
        var unknown = await PostJsonAsync("/v2/models/nope/infer", Request("x", "FP32", [1], new JsonArray(1)), HttpStatusCode.NotFound);
        Assert.Equal("model 'nope' is not served; served models: fraud, half, text", (string?)unknown["error"]);

        var version = await PostJsonAsync("/v2/models/fraud/versions/7/infer", Request("x", "FP32", [1], new JsonArray(1)), HttpStatusCode.NotFound);
        Assert.Equal("model 'fraud' has no version '7'; loaded versions: 1, 2", (string?)version["error"]);

        var shape = await PostJsonAsync("/v2/models/fraud/infer", Request(FraudRequests.Input, "FP32", [1, 2], new JsonArray(1, 2)), HttpStatusCode.BadRequest);
        Assert.Equal($"input 'Features' shape [1,2] does not match expected [-1,{FraudFeatures.Count}]", (string?)shape["error"]);

        var late = Request(FraudRequests.Input, "FP32", [1, FraudFeatures.Count], new JsonArray(new float[FraudFeatures.Count].Select(value => JsonValue.Create(value)).ToArray()));
        late["parameters"] = new JsonObject { ["timeout"] = 1 };
        var timeout = await PostJsonAsync("/v2/models/fraud/infer", late, HttpStatusCode.GatewayTimeout);
        Assert.Contains("passed its timeout", (string?)timeout["error"]);

        var metadata = await GetJsonAsync("/v2/models/nope", HttpStatusCode.NotFound);
        Assert.Contains("model 'nope' is not served", (string?)metadata["error"]);
    }

    [Fact]
    public async Task Statistics_count_rest_requests()
    {
        var before = await GetJsonAsync("/v2/models/half/stats", HttpStatusCode.OK);
        await PostJsonAsync("/v2/models/half/infer", Request("x", "FP16", [1, 1], new JsonArray(1)), HttpStatusCode.OK);

        var after = await GetJsonAsync("/v2/models/half/stats", HttpStatusCode.OK);

        var stats = Assert.Single(after["model_stats"]!.AsArray())!;
        Assert.Equal("half", (string?)stats["name"]);
        Assert.Equal("1", (string?)stats["version"]);
        Assert.Equal(
            SuccessCount(before) + 1,
            SuccessCount(after));
        var all = await GetJsonAsync("/v2/models/stats", HttpStatusCode.OK);
        Assert.Equal(4, all["model_stats"]!.AsArray().Count);
    }

    [Fact]
    public async Task Rest_requests_are_counted_with_their_protocol()
    {
        using var counter = new RequestCounter(new("model", "text"), new("protocol", "rest"), new("status", "OK"));

        await PostJsonAsync("/v2/models/text/infer", Request("s", "BYTES", [1], new JsonArray("a")), HttpStatusCode.OK);

        Assert.True(counter.Observed >= 1);
    }

    private static long SuccessCount(JsonNode statistics) =>
        (long)statistics["model_stats"]![0]!["inference_stats"]!["success"]!["count"]!;

    private static JsonObject Request(string input, string datatype, long[] shape, JsonArray data) => RestRequests.Json(input, datatype, shape, data);

    private async Task<JsonNode> GetJsonAsync(string path, HttpStatusCode expected)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonNode> PostJsonAsync(string path, JsonNode body, HttpStatusCode expected)
    {
        var response = await _http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("error").GetString()!;
    }
}
