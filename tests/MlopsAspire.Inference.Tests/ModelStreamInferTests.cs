using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using MlopsAspire.FraudData;

namespace MlopsAspire.Inference.Tests;

/// <summary>Bidirectional streaming inference as Triton's stream clients use it: many requests, matched by id.</summary>
public sealed class ModelStreamInferTests(FraudServerFixture server) : IClassFixture<FraudServerFixture>
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = server.Client;

    [Fact]
    public async Task Every_request_is_answered_with_its_id_and_errors_do_not_end_the_stream()
    {
        var requests = Enumerable.Range(0, 200).Select(MixedRequest).ToList();

        var responses = await StreamAsync(requests);

        Assert.Equal(requests.Count, responses.Count);
        var byId = responses.ToDictionary(response => response.InferResponse.Id);
        Assert.Equal(requests.Count, byId.Count);
        foreach (var (request, i) in requests.Select((request, i) => (request, i)))
        {
            var response = byId[request.Id];
            switch (i % 8)
            {
                case 3:
                    Assert.Contains("model 'nope' is not served; served models: fraud, half", response.ErrorMessage);
                    Assert.Equal("nope", response.InferResponse.ModelName);
                    break;
                case 7:
                    Assert.Contains($"input 'Features' shape [1,3] does not match expected [-1,{FraudFeatures.Count}]", response.ErrorMessage);
                    break;
                default:
                    Assert.Equal("", response.ErrorMessage);
                    // The same request on the unary call gives the same response, field for field.
                    Assert.Equal(await _client.ModelInferAsync(request), response.InferResponse);
                    break;
            }
        }
    }

    [Fact]
    public async Task A_stream_without_requests_ends_cleanly()
    {
        var responses = await StreamAsync([]);

        Assert.Empty(responses);
    }

    [Fact]
    public async Task Cancelling_a_stream_leaves_the_server_serving()
    {
        using var cancellation = new CancellationTokenSource();
        using (var call = _client.ModelStreamInfer(cancellationToken: cancellation.Token))
        {
            for (var i = 0; i < 20; i++)
            {
                await call.RequestStream.WriteAsync(MixedRequest(i));
            }

            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }
            });
        }

        var response = await _client.ModelInferAsync(FraudRequests.Raw(FraudRequests.Rows(1), FraudRequests.Probability));
        Assert.Single(response.Outputs);
    }

    [Fact]
    public async Task A_client_that_waits_for_each_response_before_the_next_request_gets_every_one()
    {
        // Responses waiting together go out in one flush; one alone must still be flushed at once, or this client
        // would wait for ever.
        using var call = _client.ModelStreamInfer();
        await using var responses = call.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        for (var i = 0; i < 20; i++)
        {
            var request = FraudRequests.Raw(FraudRequests.Rows(1, seed: i), FraudRequests.Probability);
            request.Id = $"ping-{i}";
            await call.RequestStream.WriteAsync(request);

            Assert.True(await responses.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal($"ping-{i}", responses.Current.InferResponse.Id);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await responses.MoveNextAsync());
    }

    private async Task<List<ModelStreamInferResponse>> StreamAsync(IReadOnlyList<ModelInferRequest> requests)
    {
        using var call = _client.ModelStreamInfer();
        var reading = Task.Run(async () =>
        {
            var received = new List<ModelStreamInferResponse>();
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                received.Add(response);
            }

            return received;
        });

        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var responses = await reading.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        return responses;
    }

    /// <summary>Typed and raw fraud requests, pinned and default versions, FP16 requests, and two kinds of bad request.</summary>
    private static ModelInferRequest MixedRequest(int i)
    {
        var rows = FraudRequests.Rows(1 + (i % 3), seed: 100 + i);
        var request = (i % 8) switch
        {
            0 or 4 => FraudRequests.Typed(rows, FraudRequests.Probability),
            1 or 5 => FraudRequests.Raw(rows, FraudRequests.Score, FraudRequests.Probability),
            2 => HalfRequest(i),
            3 => Renamed(FraudRequests.Typed(rows), "nope"),
            6 => Pinned(FraudRequests.Typed(rows), "1"),
            _ => WrongShape(),
        };
        request.Id = $"request-{i}";
        return request;
    }

    private static ModelInferRequest HalfRequest(int i)
    {
        var halves = new[] { (Half)i, (Half)(-0.5f), (Half)(i / 4f) };
        var request = new ModelInferRequest { ModelName = "half" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP16", 1, halves.Length));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan())));
        return request;
    }

    private static ModelInferRequest Renamed(ModelInferRequest request, string model)
    {
        request.ModelName = model;
        return request;
    }

    private static ModelInferRequest Pinned(ModelInferRequest request, string version)
    {
        request.ModelVersion = version;
        return request;
    }

    private static ModelInferRequest WrongShape()
    {
        var input = FraudRequests.Tensor(FraudRequests.Input, "FP32", 1, 3);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange([1, 2, 3]);
        return FraudRequests.Request(input);
    }
}
