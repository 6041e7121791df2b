using System.Diagnostics;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>
/// The Open Inference Protocol (KServe v2 / Triton) gRPC service over the serving engine. Responses carry
/// raw_output_contents when the request sent raw_input_contents, when it sets the parameter
/// <c>binary_data_output</c> (or an output's <c>binary_data</c>) to true, or when an output is FP16/BF16, which
/// have no typed contents; otherwise typed contents.
/// </summary>
public sealed class OpenInferenceGrpcService(
    InferenceEngine engine,
    InferenceMetrics metrics,
    ILogger<OpenInferenceGrpcService> logger) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string ServerName = "mlopsaspire";
    public const string Platform = "onnxruntime_onnx";
    public const string BinaryDataOutputParameter = "binary_data_output";
    public const string BinaryDataParameter = "binary_data";

    private static readonly string ServerVersion = ReadServerVersion();

    private ModelRepository Repository => engine.Repository;

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = Repository.IsReady });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        // No protocol extensions (model repository, statistics, ...) are implemented yet, so none are claimed.
        Task.FromResult(new ServerMetadataResponse { Name = ServerName, Version = ServerVersion });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = Repository.IsModelReady(request.Name, request.Version) });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        try
        {
            var model = Repository.Resolve(request.Name, request.Version);
            var response = new ModelMetadataResponse { Name = model.Name, Platform = Platform };
            response.Versions.AddRange(Repository.GetVersions(model.Name));
            response.Inputs.AddRange(model.Signature.Inputs.Select(ToMetadata));
            response.Outputs.AddRange(model.Signature.Outputs.Select(ToMetadata));
            return Task.FromResult(response);
        }
        catch (Exception exception)
        {
            throw ToRpcException(exception, nameof(ModelMetadata));
        }
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var (modelTag, versionTag) = MetricTags(request);
        var status = StatusCode.OK;
        try
        {
            var engineRequest = ToEngineRequest(request);
            using var result = await engine.InferAsync(engineRequest, context.CancellationToken);
            return ToResponse(request, result);
        }
        catch (Exception exception)
        {
            var rpcException = ToRpcException(exception, nameof(ModelInfer));
            status = rpcException.StatusCode;
            throw rpcException;
        }
        finally
        {
            metrics.RecordRequest(modelTag, versionTag, status.ToString(), Stopwatch.GetElapsedTime(started));
        }
    }

    private (string Model, string Version) MetricTags(ModelInferRequest request) =>
        Repository.TryResolve(request.ModelName, request.ModelVersion, out var model)
            ? (model.Name, model.Version)
            : Repository.GetVersions(request.ModelName).Count > 0
                ? (request.ModelName, InferenceMetrics.UnknownTag)
                : (InferenceMetrics.UnknownTag, InferenceMetrics.UnknownTag);

    private static InferenceRequest ToEngineRequest(ModelInferRequest request)
    {
        if (string.IsNullOrEmpty(request.ModelName))
        {
            throw InferenceException.InvalidArgument("model_name is required");
        }

        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw InferenceException.InvalidArgument(
                $"raw_input_contents has {raw.Count} entries but the request has {request.Inputs.Count} inputs; send one per input, in input order");
        }

        var inputs = new InferenceInput[request.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = request.Inputs[i];
            TensorData data;
            if (raw.Count > 0)
            {
                if (input.Contents is not null && CountSetFields(input.Contents) > 0)
                {
                    throw InferenceException.InvalidArgument(
                        $"input '{input.Name}' has both contents and raw_input_contents[{i}]; send one or the other");
                }

                data = TensorData.Raw(raw[i].Memory, i);
            }
            else
            {
                data = TypedData(input);
            }

            inputs[i] = new InferenceInput(input.Name, input.Datatype, input.Shape, data);
        }

        return new InferenceRequest
        {
            ModelName = request.ModelName,
            ModelVersion = request.ModelVersion,
            Id = request.Id,
            Inputs = inputs,
            RequestedOutputs = request.Outputs.Count == 0 ? null : request.Outputs.Select(output => output.Name).ToArray(),
        };
    }

    /// <summary>Picks the one contents field that is set (or, when none is, the one the datatype calls for).</summary>
    private static TensorData TypedData(ModelInferRequest.Types.InferInputTensor input)
    {
        var contents = input.Contents ?? new InferTensorContents();
        if (CountSetFields(contents) > 1)
        {
            throw InferenceException.InvalidArgument(
                $"input '{input.Name}' sets more than one contents field; use the one its datatype calls for");
        }

        if (contents.BoolContents.Count > 0)
        {
            return TensorData.Typed(contents.BoolContents);
        }

        if (contents.IntContents.Count > 0)
        {
            return TensorData.Typed(contents.IntContents);
        }

        if (contents.Int64Contents.Count > 0)
        {
            return TensorData.Typed(contents.Int64Contents);
        }

        if (contents.UintContents.Count > 0)
        {
            return TensorData.Typed(contents.UintContents);
        }

        if (contents.Uint64Contents.Count > 0)
        {
            return TensorData.Typed(contents.Uint64Contents);
        }

        if (contents.Fp32Contents.Count > 0)
        {
            return TensorData.Typed(contents.Fp32Contents);
        }

        if (contents.Fp64Contents.Count > 0)
        {
            return TensorData.Typed(contents.Fp64Contents);
        }

        if (contents.BytesContents.Count > 0)
        {
            return TensorData.Typed(contents.BytesContents.Select(element => element.Memory).ToArray());
        }

        // Nothing sent: an empty list of the expected kind lets the engine report the shape or count problem.
        TensorDatatypes.TryParse(input.Datatype, out var datatype);
        return datatype switch
        {
            TensorDatatype.Bool => TensorData.Typed(contents.BoolContents),
            TensorDatatype.Int8 or TensorDatatype.Int16 or TensorDatatype.Int32 => TensorData.Typed(contents.IntContents),
            TensorDatatype.Int64 => TensorData.Typed(contents.Int64Contents),
            TensorDatatype.UInt8 or TensorDatatype.UInt16 or TensorDatatype.UInt32 => TensorData.Typed(contents.UintContents),
            TensorDatatype.UInt64 => TensorData.Typed(contents.Uint64Contents),
            TensorDatatype.Fp64 => TensorData.Typed(contents.Fp64Contents),
            TensorDatatype.Bytes => TensorData.Typed(Array.Empty<ReadOnlyMemory<byte>>()),
            _ => TensorData.Typed(contents.Fp32Contents),
        };
    }

    private static int CountSetFields(InferTensorContents contents) =>
        (contents.BoolContents.Count > 0 ? 1 : 0)
        + (contents.IntContents.Count > 0 ? 1 : 0)
        + (contents.Int64Contents.Count > 0 ? 1 : 0)
        + (contents.UintContents.Count > 0 ? 1 : 0)
        + (contents.Uint64Contents.Count > 0 ? 1 : 0)
        + (contents.Fp32Contents.Count > 0 ? 1 : 0)
        + (contents.Fp64Contents.Count > 0 ? 1 : 0)
        + (contents.BytesContents.Count > 0 ? 1 : 0);

    private static ModelInferResponse ToResponse(ModelInferRequest request, InferenceResponse result)
    {
        var response = new ModelInferResponse
        {
            ModelName = result.ModelName,
            ModelVersion = result.ModelVersion,
            Id = request.Id,
        };

        var raw = WantsRawOutput(request) || result.Outputs.Any(output => !output.HasTypedContents);
        foreach (var output in result.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DatatypeName };
            tensor.Shape.AddRange(output.Shape);
            if (raw)
            {
                // One copy out of ONNX Runtime's memory into a buffer the message then owns.
                var buffer = new byte[output.RawByteLength];
                output.WriteRaw(buffer);
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(buffer));
            }
            else
            {
                tensor.Contents = new InferTensorContents();
                output.WriteTypedContents(new ProtoContentsSink(tensor.Contents));
            }

            response.Outputs.Add(tensor);
        }

        return response;
    }

    private static bool WantsRawOutput(ModelInferRequest request)
    {
        if (request.Parameters.TryGetValue(BinaryDataOutputParameter, out var parameter)
            && parameter.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.BoolParam)
        {
            return parameter.BoolParam;
        }

        foreach (var output in request.Outputs)
        {
            if (output.Parameters.TryGetValue(BinaryDataParameter, out var perOutput) && perOutput.BoolParam)
            {
                return true;
            }
        }

        return request.RawInputContents.Count > 0;
    }

    private RpcException ToRpcException(Exception exception, string method)
    {
        switch (exception)
        {
            case RpcException rpc:
                return rpc;
            case InferenceException inference:
                if (inference.Kind == InferenceErrorKind.Internal)
                {
                    logger.LogError(inference, "{Method} failed inside the runtime", method);
                }

                return new RpcException(new Status(ToStatusCode(inference.Kind), inference.Message));
            case OperationCanceledException:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                logger.LogError(exception, "{Method} failed unexpectedly", method);
                return new RpcException(new Status(StatusCode.Internal, $"internal error ({exception.GetType().Name}); see the server log"));
        }
    }

    public static StatusCode ToStatusCode(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        InferenceErrorKind.NotFound => StatusCode.NotFound,
        InferenceErrorKind.Unavailable => StatusCode.Unavailable,
        InferenceErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    private static ModelMetadataResponse.Types.TensorMetadata ToMetadata(TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DatatypeName };
        metadata.Shape.AddRange(spec.Shape);
        return metadata;
    }

    private static string ReadServerVersion()
    {
        var version = typeof(OpenInferenceGrpcService).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        // Drop the source revision the SDK appends ("1.0.0+abc123"); clients compare the version itself.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
