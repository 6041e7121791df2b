using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using MlopsAspire.Serving;
using MlopsAspire.FraudData;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// Sizes a careless or hostile client declares (shapes, BYTES element counts, Content-Length, names) are checked
/// against the bytes it actually sent and the server's limits before anything of the declared size is allocated or
/// computed, over gRPC and REST alike, and the refusal says what was wrong in the caller's own terms.
/// </summary>
[Collection(AllocationCountingGroup.Name)]
public sealed class DeclaredSizeTests(RestServerFixture server) : IClassFixture<RestServerFixture>
{
    private const int F = FraudFeatures.Count;

    /// <summary>The most rows of fraud features whose FP32 buffer an int can still index (2 GiB).</summary>
    private const int MostRows = int.MaxValue / sizeof(float) / F;

    /// <summary>Far below the 2 GiB the declared shapes below would need, far above what a refusal costs.</summary>
    private const long RefusalAllocationBound = 256L * 1024 * 1024;

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = server.Client;
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Grpc_bytes_shape_of_thirty_million_elements_with_four_raw_bytes_is_refused_by_what_the_bytes_hold()
    {
        var request = new ModelInferRequest { ModelName = "text" };
        request.Inputs.Add(FraudRequests.Tensor("s", "BYTES", 30_000_000));
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));

        await ExpectGrpc(
            request,
            StatusCode.InvalidArgument,
            "raw_input_contents[0] for input 's' has 4 bytes, room for at most 1 elements; shape [30000000] of BYTES needs 30000000 elements");
    }

    [Fact]
    public async Task Rest_bytes_shape_of_thirty_million_elements_with_four_binary_bytes_is_refused_by_what_the_bytes_hold()
    {
        var header = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "s",
                ["shape"] = new JsonArray(30_000_000),
                ["datatype"] = "BYTES",
                ["parameters"] = new JsonObject { ["binary_data_size"] = 4 },
            }),
        }.ToJsonString());
        var content = new ByteArrayContent([.. header, 0, 0, 0, 0]);
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));

        var error = await PostAsync("/v2/models/text/infer", content, HttpStatusCode.BadRequest);

        Assert.Equal("binary data for input 's' has 4 bytes, room for at most 1 elements; shape [30000000] of BYTES needs 30000000 elements, each a 4-byte little-endian length followed by that many bytes", error);
    }

    [Fact]
    public async Task Grpc_shape_of_two_gibibytes_with_one_typed_value_is_refused_before_its_buffer_is_rented()
    {
        var input = FraudRequests.Tensor(FraudRequests.Input, "FP32", MostRows, F);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.Add(1f);

        var allocated = await AllocatedWhile(() => ExpectGrpc(
            FraudRequests.Request(input),
            StatusCode.InvalidArgument,
            $"input 'Features' has 1 values in fp32_contents but shape [{MostRows},{F}] needs {(long)MostRows * F}"));

        Assert.True(allocated < RefusalAllocationBound, $"{allocated} bytes allocated while refusing it");
    }

    [Fact]
    public async Task Grpc_shape_one_row_past_what_a_buffer_can_hold_is_too_large_not_an_internal_error()
    {
        var input = FraudRequests.Tensor(FraudRequests.Input, "FP32", MostRows + 1, F);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.Add(1f);

        await ExpectGrpc(FraudRequests.Request(input), StatusCode.InvalidArgument, $"input 'Features' shape [{MostRows + 1},{F}] declares {((long)(MostRows + 1) * F).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} elements, over the {(int.MaxValue / sizeof(float)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} FP32 elements one tensor may hold");
    }

    [Fact]
    public async Task Rest_shape_of_two_gibibytes_with_one_value_is_refused_before_its_buffer_is_rented_naming_data()
    {
        var allocated = await AllocatedWhile(async () =>
        {
            var error = await PostAsync("/v2/models/fraud/infer", Json(FraudRequests.Input, "FP32", [MostRows, F], new JsonArray(1)), HttpStatusCode.BadRequest);
            Assert.Equal($"input 'Features' has 1 values in data but shape [{MostRows},{F}] needs {(long)MostRows * F}", error);
        });

        Assert.True(allocated < RefusalAllocationBound, $"{allocated} bytes allocated while refusing it");
    }

    [Fact]
    public async Task Rest_shape_past_what_a_tensor_may_hold_is_refused_before_its_data_is_read()
    {
        // The data's one value is no number: had it been read, the refusal would name it.
        var allocated = await AllocatedWhile(async () =>
        {
            var error = await PostAsync("/v2/models/fraud/infer", Json(FraudRequests.Input, "FP32", [MostRows + 1, F], new JsonArray("x")), HttpStatusCode.BadRequest);
            Assert.StartsWith($"input 'Features' shape [{MostRows + 1},{F}] declares {((long)(MostRows + 1) * F).ToString("N0", CultureInfo.InvariantCulture)} elements, over the {(int.MaxValue / sizeof(float)).ToString("N0", CultureInfo.InvariantCulture)} FP32 elements one tensor may hold", error);
        });

        Assert.True(allocated < RefusalAllocationBound, $"{allocated} bytes allocated while refusing it");
    }

    [Fact]
    public async Task Rest_shape_of_a_hundred_million_rows_with_a_few_values_costs_what_the_values_take()
    {
        // 400 MB of FP32 is within what one tensor may hold; the shape is believed only as far as the data's bytes go.
        const int Rows = 100_000_000 / F;
        var allocated = await AllocatedWhile(async () =>
        {
            var error = await PostAsync("/v2/models/fraud/infer", Json(FraudRequests.Input, "FP32", [Rows, F], new JsonArray(1, 2, 3)), HttpStatusCode.BadRequest);
            Assert.Equal($"input 'Features' has 3 values in data but shape [{Rows},{F}] needs {(long)Rows * F}", error);
        });

        Assert.True(allocated < 16L * 1024 * 1024, $"{allocated} bytes allocated while refusing it");
    }

    [Fact]
    public async Task Negative_dimensions_are_shown_as_sent()
    {
        var input = FraudRequests.Tensor(FraudRequests.Input, "FP32", -1, F);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange(new float[F]);
        await ExpectGrpc(FraudRequests.Request(input), StatusCode.InvalidArgument, $"input 'Features' shape [-1,{F}] has a negative dimension");

        var error = await PostAsync("/v2/models/fraud/infer", Json(FraudRequests.Input, "FP32", [-1, F], new JsonArray(1)), HttpStatusCode.BadRequest);
        Assert.StartsWith($"input 'Features' shape [-1,{F}] has a negative dimension", error);
    }

    [Fact]
    public async Task Rest_content_length_of_two_gibibytes_is_payload_too_large_before_the_body_is_read()
    {
        // Four bytes of a body that claims 2 GiB; the rest never comes.
        var response = await PostRawAsync(int.MaxValue.ToString(CultureInfo.InvariantCulture), "{\"in", endAfterBody: false);

        Assert.StartsWith("HTTP/1.1 413 ", response, StringComparison.Ordinal);
        Assert.Contains("the request body exceeds the limit of ", response, StringComparison.Ordinal);
        Assert.Contains("Inference:MaxMessageBytes", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_content_length_within_the_limit_is_believed_only_as_far_as_bytes_arrive()
    {
        var body = Json(FraudRequests.Input, "FP32", [1, F], new JsonArray([.. new float[F].Select(value => JsonValue.Create(value))])).ToJsonString();

        var allocated = await AllocatedWhile(async () =>
        {
            // Declares 60 MiB, sends a small complete JSON body, then stops sending: the server reads to the end of
            // what came and either answers 400 or closes the connection, having held no more than what arrived.
            var response = await PostRawAsync((60 * 1024 * 1024).ToString(CultureInfo.InvariantCulture), body, endAfterBody: true);
            Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), response);
        });

        Assert.True(allocated < 16L * 1024 * 1024, $"{allocated} bytes allocated for a body that never came");
    }

    [Fact]
    public async Task Not_found_echoes_a_long_model_name_shortened_over_grpc_and_rest()
    {
        var name = new string('n', 5_000);
        var shortened = $"model '{new string('n', EchoedText.MaxLength)}…' is not served";
        var request = FraudRequests.Typed(FraudRequests.Rows(1));
        request.ModelName = name;

        var exception = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(request));
        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.StartsWith(shortened, exception.Status.Detail, StringComparison.Ordinal);
        Assert.True(exception.Status.Detail.Length < 400, $"{exception.Status.Detail.Length} characters");

        var error = await PostAsync($"/v2/models/{name}/infer", Json("x", "FP32", [1], new JsonArray(1)), HttpStatusCode.NotFound);
        Assert.StartsWith(shortened, error, StringComparison.Ordinal);
        Assert.True(error.Length < 400, $"{error.Length} characters");
    }

    private async Task ExpectGrpc(ModelInferRequest request, StatusCode status, string messageStart)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(request));
        Assert.Equal(status, exception.StatusCode);
        Assert.StartsWith(messageStart, exception.Status.Detail, StringComparison.Ordinal);

        // The replica keeps serving.
        var response = await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1), FraudRequests.Probability));
        Assert.Single(response.Outputs);
    }

    [Fact]
    public async Task Rest_shape_of_millions_of_dimensions_is_refused_by_its_rank_before_it_is_listed()
    {
        const int Dimensions = 4_000_000;
        var body = $$"""{"inputs":[{"name":"{{FraudRequests.Input}}","datatype":"FP32","shape":[{{string.Join(',', Enumerable.Repeat('1', Dimensions))}}],"data":[1]}]}""";

        // Listing four million dimensions would take hundreds of megabytes; the body itself is 8 MB.
        await ExpectRestRefusedBelowBodyBound(body, "input 'Features' shape has more than 64 dimensions; send the model's shape, one size per dimension");
    }

    [Fact]
    public async Task Rest_millions_of_empty_inputs_are_refused_by_their_count_before_they_are_listed()
    {
        var body = $$"""{"inputs":[{{string.Join(',', Enumerable.Repeat("{}", 3_000_000))}}]}""";

        await ExpectRestRefusedBelowBodyBound(body, "\"inputs\" has more than 65536 entries; send each of the model's inputs once");
    }

    /// <summary>A body of a few megabytes, refused with <paramref name="expected"/> for no more than a small multiple of its size.</summary>
    private async Task ExpectRestRefusedBelowBodyBound(string body, string expected)
    {
        var allocated = await AllocatedWhile(async () =>
        {
            var error = await PostAsync("/v2/models/fraud/infer", new StringContent(body, Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest);
            Assert.Equal(expected, error);
        });

        Assert.True(allocated < 128L * 1024 * 1024, $"{allocated} bytes allocated while refusing it");
    }

    [Theory]
    [InlineData("/v2/models/nope/infer", "model 'nope' is not served; served models:")]
    [InlineData("/v2/models/fraud/versions/9/infer", "model 'fraud' has no version '9'; loaded versions:")]
    public async Task Rest_body_for_a_model_not_served_is_refused_before_it_is_read(string path, string expected)
    {
        // 50 MB declared, ten bytes sent, the connection left open: only an answer that does not wait for the body comes.
        var response = await PostRawAsync("50000000", "{\"inputs\":", endAfterBody: false, path);

        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
        Assert.Contains(expected, response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_more_requested_outputs_than_any_model_has_are_refused_by_their_count()
    {
        var body = Json(FraudRequests.Input, "FP32", [1, F], new JsonArray([.. Enumerable.Range(0, F).Select(_ => (JsonNode?)0)]));
        body["outputs"] = new JsonArray([.. Enumerable.Range(0, 70_000).Select(_ => (JsonNode?)new JsonObject { ["name"] = FraudRequests.Probability })]);

        var error = await PostAsync("/v2/models/fraud/infer", body, HttpStatusCode.BadRequest);

        Assert.Equal("\"outputs\" has more than 65536 entries; name each output a model has at most once", error);
    }

    private async Task<string> PostAsync(string path, HttpContent content, HttpStatusCode expected)
    {
        var response = await _http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {text}");
        return (string)JsonNode.Parse(text)!["error"]!;
    }

    private Task<string> PostAsync(string path, JsonNode body, HttpStatusCode expected) =>
        PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), expected);

    private static JsonObject Json(string input, string datatype, long[] shape, JsonArray data) => RestRequests.Json(input, datatype, shape, data);

    /// <summary>
    /// Sends an inference POST over a plain socket, exactly as written: a Content-Length that the bytes after it do not
    /// match is what these tests send, and HTTP clients refuse to. Optionally closes the sending side after the body.
    /// </summary>
    private async Task<string> PostRawAsync(string contentLength, string body, bool endAfterBody, string path = "/v2/models/fraud/infer")
    {
        var address = _http.BaseAddress!;
        using var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n{body}"));
        if (endAfterBody)
        {
            socket.Client.Shutdown(SocketShutdown.Send);
        }

        return await ReadResponseAsync(stream);
    }

    /// <summary>Bytes the whole process (client and in-process replica) allocated while <paramref name="action"/> ran.</summary>
    private static async Task<long> AllocatedWhile(Func<Task> action)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await action();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>Reads an HTTP/1.1 response's head and as much of its body as arrives before the server stops sending.</summary>
    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var head = text.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (head >= 0 && TryContentLength(text.ToString()[..head], out var length) && text.Length >= head + 4 + length)
            {
                break;
            }
        }

        return text.ToString();
    }

    private static bool TryContentLength(string head, out int length)
    {
        length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.TryParse(line["Content-Length:".Length..].Trim(), out length);
            }
        }

        return false;
    }
}
