using Inference;
using MlopsAspire.Inference.Monitoring;
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
        _requests = [.. requests.All.Select(ToEngineRequest)];
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

    /// <summary>The engine's view of a raw-contents request; the buffers are shared by every send, as the engine only reads them.</summary>
    private static InferenceRequest ToEngineRequest(ModelInferRequest request)
    {
        if (request.RawInputContents.Count != request.Inputs.Count)
        {
            throw new ArgumentException("pipeline scenarios send raw contents; leave --encoding at raw", nameof(request));
        }

        return new InferenceRequest
        {
            ModelName = request.ModelName,
            ModelVersion = string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion,
            Id = request.Id,
            Inputs = [.. request.Inputs.Select((input, i) => new InferenceInput(input.Name, input.Datatype, [.. input.Shape], TensorData.Raw(request.RawInputContents[i].Memory)))],
            RequestedOutputs = [.. request.Outputs.Select(output => output.Name)],
        };
    }
}
