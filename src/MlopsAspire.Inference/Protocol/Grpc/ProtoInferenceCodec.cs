using Google.Protobuf;
using Google.Protobuf.Collections;
using Inference;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Grpc;

/// <summary>
/// Converts between the protocol's protobuf messages and the engine's transport-neutral requests and responses,
/// for unary and streaming inference alike. Responses carry raw_output_contents when the request sent
/// raw_input_contents, when it sets the parameter <c>binary_data_output</c> (or an output's <c>binary_data</c>) to
/// true, or when an output is FP16/BF16, which have no typed contents; otherwise typed contents.
/// </summary>
internal static class ProtoInferenceCodec
{
    public const string BinaryDataOutputParameter = "binary_data_output";
    public const string BinaryDataParameter = "binary_data";

    /// <param name="deadline">The gRPC call's deadline, if it has one.</param>
    public static InferenceRequest ToEngineRequest(ModelInferRequest request, DateTimeOffset? deadline)
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
                        $"input '{EchoedText.Of(input.Name)}' has both contents and raw_input_contents[{i}]; send one or the other");
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
            RequestedOutputs = RequestedOutputNames(request),
            Priority = RequestParameters.PriorityFrom(ReadNonNegative(request.Parameters, RequestParameters.Priority)),
            Timeout = RequestParameters.TimeoutFrom(ReadNonNegative(request.Parameters, RequestParameters.Timeout)),
            Deadline = deadline,
        };
    }

    private static string[]? RequestedOutputNames(ModelInferRequest request)
    {
        var outputs = request.Outputs;
        if (outputs.Count == 0)
        {
            return null;
        }

        var names = new string[outputs.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = outputs[i].Name;
        }

        return names;
    }

    /// <summary>The call's deadline; gRPC reports "none" as <see cref="DateTime.MaxValue"/>.</summary>
    public static DateTimeOffset? Deadline(DateTime callDeadline) =>
        callDeadline == DateTime.MaxValue ? null : new DateTimeOffset(DateTime.SpecifyKind(callDeadline, DateTimeKind.Utc));

    /// <summary>A request parameter's non-negative integer value; null when absent.</summary>
    private static ulong? ReadNonNegative(MapField<string, InferParameter> parameters, string name)
    {
        if (!parameters.TryGetValue(name, out var parameter))
        {
            return null;
        }

        return parameter.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.Uint64Param => parameter.Uint64Param,
            InferParameter.ParameterChoiceOneofCase.Int64Param when parameter.Int64Param >= 0 => (ulong)parameter.Int64Param,
            _ => throw InferenceException.InvalidArgument($"parameter '{name}' must be a non-negative integer (uint64_param or int64_param)"),
        };
    }

    /// <summary>Picks the one contents field that is set (or, when none is, the one the datatype calls for).</summary>
    private static TensorData TypedData(ModelInferRequest.Types.InferInputTensor input)
    {
        var contents = input.Contents ?? new InferTensorContents();
        if (CountSetFields(contents) > 1)
        {
            throw InferenceException.InvalidArgument(
                $"input '{EchoedText.Of(input.Name)}' sets more than one contents field; use the one its datatype calls for");
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
        _ = TensorDatatypes.TryParse(input.Datatype, out var datatype);
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

    public static ModelInferResponse ToResponse(ModelInferRequest request, InferenceResponse result)
    {
        var response = new ModelInferResponse
        {
            ModelName = result.ModelName,
            ModelVersion = result.ModelVersion,
            Id = request.Id,
        };

        var outputs = result.Outputs;
        var raw = WantsRawOutput(request) || AnyWithoutTypedContents(outputs);
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
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

    // Index loops here and below: enumerating an IReadOnlyList or a RepeatedField allocates an enumerator per request.
    private static bool AnyWithoutTypedContents(IReadOnlyList<InferenceOutput> outputs)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            if (!outputs[i].HasTypedContents)
            {
                return true;
            }
        }

        return false;
    }

    private static bool WantsRawOutput(ModelInferRequest request)
    {
        if (request.Parameters.TryGetValue(BinaryDataOutputParameter, out var parameter)
            && parameter.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.BoolParam)
        {
            return parameter.BoolParam;
        }

        var outputs = request.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].Parameters.TryGetValue(BinaryDataParameter, out var perOutput) && perOutput.BoolParam)
            {
                return true;
            }
        }

        return request.RawInputContents.Count > 0;
    }
}
