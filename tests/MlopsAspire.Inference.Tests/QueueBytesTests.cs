using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// A model's queue is bounded in bytes (its config's <c>dynamic_batching.max_queue_bytes</c>) as well as in requests:
/// a flood beyond it is refused with RESOURCE_EXHAUSTED (REST 429) while what is queued stays queued, the bytes come
/// back as the queue drains, and the replica gives the flood's memory back once it is over.
/// </summary>
public sealed class QueueBytesTests(QueueBytesServerFixture server) : IClassFixture<QueueBytesServerFixture>
{
    [Fact]
    public async Task A_flood_past_max_queue_bytes_is_refused_and_the_memory_comes_back_once_it_drains()
    {
        var batcher = await WideBatcherAsync();
        var budget = server.Services.GetRequiredService<QueueByteBudget>();
        var release = server.Services.GetServices<IHostedService>().OfType<QueueFloodMemoryRelease>().Single();
        var releasesBefore = release.Releases;

        // Three rows of 4 KiB fill the queue's 12 KiB; the batch waits (an hour) for a fourth row.
        using var flood = new CancellationTokenSource();
        var queued = Enumerable.Range(0, 3).Select(i => server.Client.ModelInferAsync(Row(i), cancellationToken: flood.Token).ResponseAsync).ToList();
        await Until(() => batcher.QueuedRequests == 3, "three rows queued");
        Assert.Equal(QueueBytesServerFixture.MaxQueueBytes, batcher.QueuedBytes);
        Assert.Equal(QueueBytesServerFixture.MaxQueueBytes, budget.Used);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.ModelInferAsync(Row(3)));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(
            "the queue of model 'wide' version '1' is full: it holds 12 KiB of inputs and this request's 4 KiB would pass max_queue_bytes (12 KiB); back off and retry",
            refused.Status.Detail);

        var rest = await server.Http.PostAsync("/v2/models/wide/infer", new StringContent(RestRow(4), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, rest.StatusCode);
        Assert.Equal(refused.Status.Detail, (string?)JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["error"]);

        // What was queued before the flood stays queued: nothing was dropped to make room.
        Assert.Equal(3, batcher.QueuedRequests);
        Assert.All(queued, call => Assert.False(call.IsCompleted));

        // The callers give up; their bytes come back to the queue and to the replica's budget.
        await flood.CancelAsync();
        foreach (var call in queued)
        {
            var cancelled = await Assert.ThrowsAsync<RpcException>(() => call);
            Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);
        }

        await Until(() => batcher.QueuedBytes == 0 && budget.Used == 0, "the queue's bytes returned");
        await Until(() => release.Releases > releasesBefore, "the flood's memory given back");

        // And the queue takes requests again.
        using var again = new CancellationTokenSource();
        var next = server.Client.ModelInferAsync(Row(5), cancellationToken: again.Token).ResponseAsync;
        await Until(() => batcher.QueuedRequests == 1, "a request queued after the flood");
        Assert.Equal(QueueBytesServerFixture.RowBytes, batcher.QueuedBytes);
        await again.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => next);
        await Until(() => batcher.QueuedBytes == 0, "the last request's bytes returned");
    }

    /// <summary>The wide model's batcher (created by its first request, which this sends and cancels).</summary>
    private async Task<DynamicBatcher> WideBatcherAsync()
    {
        var executor = (BatchingInferenceExecutor)server.Services.GetRequiredService<IInferenceExecutor>();
        if (executor.Batchers.FirstOrDefault(candidate => candidate.Model.Name == "wide") is { } existing)
        {
            return existing;
        }

        using var first = new CancellationTokenSource();
        var call = server.Client.ModelInferAsync(Row(-1), cancellationToken: first.Token).ResponseAsync;
        DynamicBatcher? batcher = null;
        await Until(() => (batcher = executor.Batchers.FirstOrDefault(candidate => candidate.Model.Name == "wide")) is { QueuedRequests: 1 }, "the wide model's batcher");
        await first.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => call);
        await Until(() => batcher!.QueuedRequests == 0, "the first request cancelled");
        return batcher!;
    }

    private static ModelInferRequest Row(int value)
    {
        var request = new ModelInferRequest { ModelName = "wide" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP32", 1, QueueBytesServerFixture.Width));
        var values = Enumerable.Repeat((float)value, QueueBytesServerFixture.Width).ToArray();
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        return request;
    }

    private static string RestRow(int value) => new JsonObject
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["name"] = "x",
            ["shape"] = new JsonArray(1, QueueBytesServerFixture.Width),
            ["datatype"] = "FP32",
            ["data"] = new JsonArray([.. Enumerable.Repeat(value, QueueBytesServerFixture.Width).Select(item => JsonValue.Create(item))]),
        }),
    }.ToJsonString();
}
