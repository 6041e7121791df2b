using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>
/// The KServe v2 JSON inference request and response. Input <c>data</c> may be flat or nested arrays (row-major);
/// BYTES elements are strings; FP16 and BF16 travel as JSON numbers and are converted. Triton's binary tensor data
/// extension is read and written too: inputs with a <c>binary_data_size</c> parameter, outputs asked for with
/// <c>binary_data</c> (or the request's <c>binary_data_output</c>). Problems are reported as INVALID_ARGUMENT
/// naming the input and the element.
/// </summary>
internal static class RestInferenceJson
{
    /// <summary>The header that gives the length of the JSON part of a body that carries binary tensor data.</summary>
    public const string InferenceHeaderContentLength = "Inference-Header-Content-Length";

    private const string BinaryDataSizeParameter = "binary_data_size";
    private const string BinaryDataOutputParameter = "binary_data_output";
    private const string BinaryDataParameter = "binary_data";

    /// <summary>More dimensions than any model's tensor has: a longer shape is refused before it is listed.</summary>
    internal const int MostShapeDimensions = 64;

    /// <summary>
    /// Reads a request body: JSON alone, or (Triton's binary tensor data extension) a JSON header of
    /// <paramref name="jsonLength"/> bytes followed by the raw bytes of the inputs that give a
    /// <c>binary_data_size</c> parameter, in input order. Everything but the inputs' values is read and checked
    /// first, each declared shape against what one tensor may hold included; then each input's values are read
    /// straight into the array the engine takes, so a refusal costs no more than the body's bytes.
    /// </summary>
    public static RestInferenceRequest ReadRequest(ReadOnlyMemory<byte> body, int? jsonLength, string modelName, string? modelVersion)
    {
        if (jsonLength is { } length && (length < 0 || length > body.Length))
        {
            throw InferenceException.InvalidArgument(
                $"{InferenceHeaderContentLength} is {length} but the body has {body.Length} bytes");
        }

        var json = jsonLength is { } headerLength ? body[..headerLength] : body;
        var binary = jsonLength is { } binaryStart ? body[binaryStart..] : ReadOnlyMemory<byte>.Empty;
        RestRequestLayout layout;
        try
        {
            layout = RestRequestLayout.Scan(json);
        }
        catch (JsonException exception)
        {
            throw InferenceException.InvalidArgument($"the request body is not valid JSON: {exception.Message}");
        }

        return ReadRequest(layout, binary, modelName, modelVersion);
    }

    private static RestInferenceRequest ReadRequest(RestRequestLayout layout, ReadOnlyMemory<byte> binary, string modelName, string? modelVersion)
    {
        if (layout.Root.Kind != JsonValueKind.Object)
        {
            throw InferenceException.InvalidArgument($"the request body must be a JSON object with \"inputs\", not {RestJsonValue.Describe(layout.Root.Kind)}");
        }

        if (layout.Inputs.Kind != JsonValueKind.Array)
        {
            throw InferenceException.InvalidArgument("the request needs an \"inputs\" array");
        }

        var headers = new List<InputHeader>(layout.InputItems.Count);
        var binaryOffset = 0;
        foreach (var input in layout.InputItems)
        {
            headers.Add(ReadInputHeader(input, headers.Count, binary, ref binaryOffset));
        }

        if (binaryOffset != binary.Length)
        {
            throw InferenceException.InvalidArgument(
                $"the body has {binary.Length} bytes of binary tensor data but the inputs' binary_data_size add up to {binaryOffset}");
        }

        var parameters = layout.Parameters;
        var allBinary = ReadBool(parameters, BinaryDataOutputParameter) ?? false;
        List<string>? requestedOutputs = null;
        var binaryOutputs = new HashSet<string>(StringComparer.Ordinal);
        if (layout.Outputs.Exists && layout.Outputs.Kind != JsonValueKind.Null)
        {
            RequireKind(layout.Outputs, JsonValueKind.Array, "\"outputs\"");
            requestedOutputs = [];
            var outputs = layout.Outputs.Items(RestRequestLayout.MostTensors);
            if (outputs.Count > RestRequestLayout.MostTensors)
            {
                throw InferenceException.InvalidArgument(
                    $"\"outputs\" has more than {RestRequestLayout.MostTensors} entries; name each output a model has at most once");
            }

            foreach (var output in outputs)
            {
                var name = RequiredString(output.Member("name"), "name", $"outputs[{requestedOutputs.Count}]");
                requestedOutputs.Add(name);
                if (ReadBool(output.Member("parameters"), BinaryDataParameter) ?? allBinary)
                {
                    binaryOutputs.Add(name);
                }
            }
        }

        var id = layout.Id.Exists ? ReadId(layout.Id) : null;
        var priority = RequestParameters.PriorityFrom(ReadNonNegative(parameters, RequestParameters.Priority));
        var timeout = RequestParameters.TimeoutFrom(ReadNonNegative(parameters, RequestParameters.Timeout));

        // Every declared size has been checked; only now are values read.
        var inputs = new List<InferenceInput>(headers.Count);
        foreach (var header in headers)
        {
            var data = header.Binary ?? RestTensorData.Read(header.Data, header.Name, header.Datatype, header.DeclaredElements);
            inputs.Add(new InferenceInput(header.Name, header.Datatype, header.Shape, data));
        }

        var request = new InferenceRequest
        {
            ModelName = modelName,
            ModelVersion = modelVersion,
            Id = id,
            Inputs = inputs,
            RequestedOutputs = requestedOutputs,
            Priority = priority,
            Timeout = timeout,
        };
        return new RestInferenceRequest(request, name => requestedOutputs is null ? allBinary : binaryOutputs.Contains(name));
    }

    /// <summary>An input as its members other than <c>data</c> describe it; <see cref="Binary"/> when its bytes follow the JSON.</summary>
    private sealed record InputHeader(string Name, string Datatype, List<long> Shape, long? DeclaredElements, TensorData? Binary, RestJsonValue Data);

    private static InputHeader ReadInputHeader(RestInputLayout input, int index, ReadOnlyMemory<byte> binary, ref int binaryOffset)
    {
        var where = $"inputs[{index}]";
        if (input.Self.Kind != JsonValueKind.Object)
        {
            throw InferenceException.InvalidArgument($"{where} must be an object with name, shape, datatype and data");
        }

        var name = RequiredString(input.Name, "name", where);
        where = $"input '{EchoedText.Of(name)}'";
        var datatype = RequiredString(input.Datatype, "datatype", where);
        if (input.Shape.Kind != JsonValueKind.Array)
        {
            throw InferenceException.InvalidArgument($"{where} needs a \"shape\" array");
        }

        var dimensions = input.Shape.Items(MostShapeDimensions);
        if (dimensions.Count > MostShapeDimensions)
        {
            throw InferenceException.InvalidArgument(
                $"{where} shape has more than {MostShapeDimensions} dimensions; send the model's shape, one size per dimension");
        }

        var shape = new List<long>(dimensions.Count);
        foreach (var dimension in dimensions)
        {
            if (!dimension.TryGetInt64(out var size))
            {
                throw InferenceException.InvalidArgument($"{where} shape has {dimension.Echo()}; dimensions are integers");
            }

            shape.Add(size);
        }

        // A shape with a dimension that is not positive is the engine's to refuse, in the model's terms.
        long? declaredElements = TensorDatatypes.TryParse(datatype, out var parsed) && shape.TrueForAll(size => size > 0)
            ? TensorCodec.CountDeclaredElements(EchoedText.Of(name), parsed, shape)
            : null;

        if (input.Parameters.Member(BinaryDataSizeParameter) is { Exists: true } sizeElement)
        {
            if (!sizeElement.TryGetInt32(out var byteSize) || byteSize < 0)
            {
                throw InferenceException.InvalidArgument($"{where} has binary_data_size {sizeElement.Echo()}; it must be a byte count");
            }

            if (byteSize > binary.Length - binaryOffset)
            {
                throw InferenceException.InvalidArgument(
                    $"{where} has binary_data_size {byteSize} but only {binary.Length - binaryOffset} bytes of binary tensor data remain");
            }

            var data = TensorData.Raw(binary.Slice(binaryOffset, byteSize), index, TensorDataTerms.Json);
            binaryOffset += byteSize;
            return new InputHeader(name, datatype, shape, declaredElements, data, default);
        }

        if (!input.Data.Exists || input.Data.Kind == JsonValueKind.Null)
        {
            throw InferenceException.InvalidArgument($"{where} has no \"data\" (nor a binary_data_size parameter)");
        }

        return new InputHeader(name, datatype, shape, declaredElements, null, input.Data);
    }

    private static bool? ReadBool(RestJsonValue parameters, string name) =>
        parameters.Member(name) is { Exists: true } value
            ? value.Kind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw InferenceException.InvalidArgument($"parameter '{name}' is {value.Echo()}; it must be true or false"),
            }
            : null;

    private static string? ReadId(RestJsonValue id) => id.Kind switch
    {
        JsonValueKind.String => id.GetString(),
        JsonValueKind.Null => null,
        _ => throw InferenceException.InvalidArgument($"\"id\" must be a string, not {id.Echo()}"),
    };

    /// <summary>A request parameter's non-negative integer value; null when absent.</summary>
    private static ulong? ReadNonNegative(RestJsonValue parameters, string name)
    {
        var parameter = parameters.Member(name);
        if (!parameter.Exists)
        {
            return null;
        }

        return parameter.TryGetUInt64(out var value)
            ? value
            : throw InferenceException.InvalidArgument($"parameter '{name}' is {parameter.Echo()}; it must be a non-negative integer");
    }

    private static string RequiredString(RestJsonValue value, string property, string where) =>
        value.Kind == JsonValueKind.String
            ? value.GetString()!
            : throw InferenceException.InvalidArgument($"{where} needs a \"{property}\" string");

    private static void RequireKind(RestJsonValue element, JsonValueKind kind, string what)
    {
        if (element.Kind != kind)
        {
            throw InferenceException.InvalidArgument($"{what} must be {RestJsonValue.Describe(kind)}, not {RestJsonValue.Describe(element.Kind)}");
        }
    }

    /// <summary>
    /// Writes the JSON response: model, version, id and each output's name, datatype, shape and either its flat
    /// data or, for outputs <paramref name="isBinary"/> picks, a <c>binary_data_size</c> parameter (the bytes follow
    /// the JSON; see <see cref="WriteBinaryOutputs"/>). Returns whether any output is binary.
    /// </summary>
    public static bool WriteResponse(Utf8JsonWriter writer, InferenceResponse response, Func<string, bool> isBinary)
    {
        var anyBinary = false;
        writer.WriteStartObject();
        writer.WriteString("model_name", response.ModelName);
        writer.WriteString("model_version", response.ModelVersion);
        if (!string.IsNullOrEmpty(response.Id))
        {
            writer.WriteString("id", response.Id);
        }

        writer.WriteStartArray("outputs");
        foreach (var output in response.Outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", output.Name);
            writer.WriteString("datatype", output.DatatypeName);
            writer.WriteStartArray("shape");
            foreach (var dimension in output.Shape)
            {
                writer.WriteNumberValue(dimension);
            }

            writer.WriteEndArray();
            if (isBinary(output.Name))
            {
                anyBinary = true;
                writer.WriteStartObject("parameters");
                writer.WriteNumber(BinaryDataSizeParameter, output.RawByteLength);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray("data");
                WriteData(writer, output);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        return anyBinary;
    }

    /// <summary>Appends the raw bytes of the binary outputs, in output order, after the JSON header.</summary>
    public static void WriteBinaryOutputs(IBufferWriter<byte> destination, InferenceResponse response, Func<string, bool> isBinary)
    {
        foreach (var output in response.Outputs)
        {
            if (isBinary(output.Name))
            {
                var length = output.RawByteLength;
                output.WriteRaw(destination.GetSpan(length)[..length]);
                destination.Advance(length);
            }
        }
    }

    private static void WriteData(Utf8JsonWriter writer, InferenceOutput output)
    {
        switch (output.Datatype)
        {
            case TensorDatatype.Bool:
                foreach (var value in output.GetValues<bool>())
                {
                    writer.WriteBooleanValue(value);
                }

                break;
            case TensorDatatype.Int8:
                foreach (var value in output.GetValues<sbyte>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.Int16:
                foreach (var value in output.GetValues<short>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.Int32:
                foreach (var value in output.GetValues<int>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.Int64:
                foreach (var value in output.GetValues<long>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.UInt8:
                foreach (var value in output.GetValues<byte>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.UInt16:
                foreach (var value in output.GetValues<ushort>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.UInt32:
                foreach (var value in output.GetValues<uint>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.UInt64:
                foreach (var value in output.GetValues<ulong>())
                {
                    writer.WriteNumberValue(value);
                }

                break;
            case TensorDatatype.Fp16:
                foreach (var value in output.GetValues<Half>())
                {
                    WriteFloat(writer, (float)value);
                }

                break;
            case TensorDatatype.Bf16:
                foreach (var value in output.GetValues<ushort>())
                {
                    WriteFloat(writer, ReducedPrecision.FromBFloat16(value));
                }

                break;
            case TensorDatatype.Fp32:
                foreach (var value in output.GetValues<float>())
                {
                    WriteFloat(writer, value);
                }

                break;
            case TensorDatatype.Fp64:
                foreach (var value in output.GetValues<double>())
                {
                    if (double.IsFinite(value))
                    {
                        writer.WriteNumberValue(value);
                    }
                    else
                    {
                        WriteNonFinite(writer, value);
                    }
                }

                break;
            case TensorDatatype.Bytes:
                for (var i = 0L; i < output.ElementCount; i++)
                {
                    var element = output.GetBytesElement(i);
                    // JSON strings are Unicode; bytes that are not UTF-8 come out with replacement characters.
                    if (Utf8.IsValid(element))
                    {
                        writer.WriteStringValue(element);
                    }
                    else
                    {
                        writer.WriteStringValue(Encoding.UTF8.GetString(element));
                    }
                }

                break;
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            WriteNonFinite(writer, value);
        }
    }

    // JSON has no NaN or infinity; write them as the strings .NET and JavaScript parse back.
    private static void WriteNonFinite(Utf8JsonWriter writer, double value) =>
        writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}
