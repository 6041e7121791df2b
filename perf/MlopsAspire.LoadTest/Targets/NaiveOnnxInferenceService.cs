using Google.Protobuf;
using Grpc.Core;
using Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// The naive server: Open Inference Protocol ModelInfer implemented the obvious way, one
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// per request, no batching, no validation beyond what the session does, raw outputs. What a team would write
/// in an afternoon; the platform has to beat it. It runs as many requests at once as the cores it is given allow
/// (<see cref="NaiveModelSessions.Lanes"/>), like every other baseline contender.
/// </summary>
public sealed class NaiveOnnxInferenceService(NaiveModelSessions sessions) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = true });

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        if (!sessions.TryGet(request.ModelName, out var session))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"model '{request.ModelName}' is not served"));
        }

        await sessions.Lanes.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            return Run(request, session);
        }
        finally
        {
            sessions.Lanes.Release();
        }
    }

    private ModelInferResponse Run(ModelInferRequest request, InferenceSession session)
    {

        var names = new List<string>(request.Inputs.Count);
        var values = new List<OrtValue>(request.Inputs.Count);
        try
        {
            for (var i = 0; i < request.Inputs.Count; i++)
            {
                var input = request.Inputs[i];
                names.Add(input.Name);
                values.Add(OrtValue.CreateTensorValueFromMemory(BaselineSessions.ReadFp32Input(request, i), [.. input.Shape]));
            }

            var outputNames = request.Outputs.Count > 0 ? request.Outputs.Select(output => output.Name).ToList() : [.. session.OutputNames];
            using var results = session.Run(sessions.RunOptions, names, values, outputNames);
            var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = "1", Id = request.Id };
            for (var i = 0; i < results.Count; i++)
            {
                var shape = results[i].GetTensorTypeAndShape();
                var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = outputNames[i], Datatype = WireName(shape.ElementDataType) };
                tensor.Shape.AddRange(shape.Shape);
                response.Outputs.Add(tensor);
                response.RawOutputContents.Add(ByteString.CopyFrom(results[i].GetTensorDataAsSpan<byte>()));
            }

            return response;
        }
        catch (OnnxRuntimeException exception)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, exception.Message));
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static string WireName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Bool => "BOOL",
        TensorElementType.Float16 => "FP16",
        _ => type.ToString().ToUpperInvariant(),
    };

    /// <summary>
    /// Serves <paramref name="model"/> running at most <paramref name="lanes"/> requests at once, each with
    /// <paramref name="intraOpThreads"/> threads, on <paramref name="provider"/>.
    /// </summary>
    public static Task<LoopbackGrpcHost> StartAsync(string modelName, byte[] model, int intraOpThreads, int lanes, ExecutionProvider provider)
    {
        var session = BaselineSessions.Create(model, intraOpThreads, provider);
        var sessions = new NaiveModelSessions(lanes);
        sessions.Add(modelName, session);
        return LoopbackGrpcHost.StartAsync(
            services => services.AddSingleton(sessions),
            app => app.MapGrpcService<NaiveOnnxInferenceService>());
    }
}
