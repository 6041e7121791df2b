using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// Calls an in-process replica's <see cref="PredictionPipeline"/> directly: the routing, engine, batcher and
/// monitoring hooks that every ModelInfer goes through, without gRPC, HTTP/2 or protobuf. Comparing batching on and
/// off through it shows what the batcher itself does, apart from the transport every request pays either way.
/// </summary>
public sealed class PipelineInferSender : IRequestSender
{
    private readonly PredictionPipeline _pipeline;
    private readonly InferenceRequest[] _requests;
    private long _next = -1;

    public PipelineInferSender(PredictionPipeline pipeline, InferRequestSet requests)
    {
        _pipeline = pipeline;
        // Decoded once, by the service's own codec: the buffers are shared by every send, as the engine only reads them.
        _requests = [.. requests.All.Select(request => ProtoInferenceCodec.ToEngineRequest(request, deadline: null))];
    }

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var request = _requests[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_requests.Length)];
        using var response = await _pipeline.InferAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Outputs.Count == 0)
        {
            throw new InvalidResponseException($"model '{request.ModelName}' answered without outputs");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
