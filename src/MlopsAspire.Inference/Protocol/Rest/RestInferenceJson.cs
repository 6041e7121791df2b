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

    /// <summary>
    /// Reads a request body: JSON alone, or (Triton's binary tensor data extension) a JSON header of
    /// <paramref name="jsonLength"/> bytes followed by the raw bytes of the inputs that give a
    /// <c>binary_data_size</c> parameter, in input order.
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
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw InferenceException.InvalidArgument($"the request body is not valid JSON: {exception.Message}");
        }

        using (document)
        {
            return ReadRequest(document.RootElement, binary, modelName, modelVersion);
        }
    }

    private static RestInferenceRequest ReadRequest(JsonElement root, ReadOnlyMemory<byte> binary, string modelName, string? modelVersion)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw InferenceException.InvalidArgument($"the request body must be a JSON object with \"inputs\", not {Describe(root.ValueKind)}");
        }

        if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.InvalidArgument("the request needs an \"inputs\" array");
        }

        var inputs = new List<InferenceInput>(inputsElement.GetArrayLength());
        var binaryOffset = 0;
        foreach (var input in inputsElement.EnumerateArray())
        {
            inputs.Add(ReadInput(input, inputs.Count, binary, ref binaryOffset));
        }

        if (binaryOffset != binary.Length)
        {
            throw InferenceException.InvalidArgument(
                $"the body has {binary.Length} bytes of binary tensor data but the inputs' binary_data_size add up to {binaryOffset}");
        }

        var parameters = root.TryGetProperty("parameters", out var parametersElement) && parametersElement.ValueKind == JsonValueKind.Object
            ? parametersElement
            : default;
        var allBinary = ReadBool(parameters, BinaryDataOutputParameter) ?? false;
        List<string>? requestedOutputs = null;
        var binaryOutputs = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("outputs", out var outputsElement) && outputsElement.ValueKind != JsonValueKind.Null)
        {
            RequireKind(outputsElement, JsonValueKind.Array, "\"outputs\"");
            requestedOutputs = [];
            foreach (var output in outputsElement.EnumerateArray())
            {
                var name = RequiredString(output, "name", $"outputs[{requestedOutputs.Count}]");
                requestedOutputs.Add(name);
                var outputParameters = output.TryGetProperty("parameters", out var element) && element.ValueKind == JsonValueKind.Object ? element : default;
                if (ReadBool(outputParameters, BinaryDataParameter) ?? allBinary)
                {
                    binaryOutputs.Add(name);
                }
            }
        }

        var request = new InferenceRequest
        {
            ModelName = modelName,
            ModelVersion = modelVersion,
            Id = root.TryGetProperty("id", out var id) ? ReadId(id) : null,
            Inputs = inputs,
            RequestedOutputs = requestedOutputs,
            Priority = RequestParameters.PriorityFrom(ReadNonNegative(parameters, RequestParameters.Priority)),
            Timeout = RequestParameters.TimeoutFrom(ReadNonNegative(parameters, RequestParameters.Timeout)),
        };
        return new RestInferenceRequest(request, name => requestedOutputs is null ? allBinary : binaryOutputs.Contains(name));
    }

    private static InferenceInput ReadInput(JsonElement input, int index, ReadOnlyMemory<byte> binary, ref int binaryOffset)
    {
        var where = $"inputs[{index}]";
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw InferenceException.InvalidArgument($"{where} must be an object with name, shape, datatype and data");
        }

        var name = RequiredString(input, "name", where);
        where = $"input '{EchoedText.Of(name)}'";
        var datatype = RequiredString(input, "datatype", where);
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.InvalidArgument($"{where} needs a \"shape\" array");
        }

        var shape = new List<long>(shapeElement.GetArrayLength());
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var size))
            {
                throw InferenceException.InvalidArgument($"{where} shape has {Echo(dimension)}; dimensions are integers");
            }

            shape.Add(size);
        }

        if (input.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty(BinaryDataSizeParameter, out var sizeElement))
        {
            if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out var byteSize) || byteSize < 0)
            {
                throw InferenceException.InvalidArgument($"{where} has binary_data_size {Echo(sizeElement)}; it must be a byte count");
            }

            if (byteSize > binary.Length - binaryOffset)
            {
                throw InferenceException.InvalidArgument(
                    $"{where} has binary_data_size {byteSize} but only {binary.Length - binaryOffset} bytes of binary tensor data remain");
            }

            var data = TensorData.Raw(binary.Slice(binaryOffset, byteSize), index, TensorDataTerms.Json);
            binaryOffset += byteSize;
            return new InferenceInput(name, datatype, shape, data);
        }

        if (!input.TryGetProperty("data", out var values) || values.ValueKind == JsonValueKind.Null)
        {
            throw InferenceException.InvalidArgument($"{where} has no \"data\" (nor a binary_data_size parameter)");
        }

        return new InferenceInput(name, datatype, shape, ReadData(values, name, datatype));
    }

    private static bool? ReadBool(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw InferenceException.InvalidArgument($"parameter '{name}' is {Echo(value)}; it must be true or false"),
            }
            : null;

    private static TensorData ReadData(JsonElement data, string name, string datatype)
    {
        if (!TensorDatatypes.TryParse(datatype, out var parsed))
        {
            // The engine names the model's expected datatype; no values are needed to say it.
            return TensorData.Typed(Array.Empty<float>(), TensorDataTerms.Json);
        }

        return parsed switch
        {
            TensorDatatype.Bool => Collect(data, name, datatype, static (JsonElement e, out bool v) =>
            {
                v = e.ValueKind == JsonValueKind.True;
                return e.ValueKind is JsonValueKind.True or JsonValueKind.False;
            }),
            TensorDatatype.Int8 or TensorDatatype.Int16 or TensorDatatype.Int32 =>
                Collect(data, name, datatype, Number(static (JsonElement e, out int v) => e.TryGetInt32(out v))),
            TensorDatatype.Int64 => Collect(data, name, datatype, Number(static (JsonElement e, out long v) => e.TryGetInt64(out v))),
            TensorDatatype.UInt8 or TensorDatatype.UInt16 or TensorDatatype.UInt32 =>
                Collect(data, name, datatype, Number(static (JsonElement e, out uint v) => e.TryGetUInt32(out v))),
            TensorDatatype.UInt64 => Collect(data, name, datatype, Number(static (JsonElement e, out ulong v) => e.TryGetUInt64(out v))),
            TensorDatatype.Fp16 or TensorDatatype.Bf16 or TensorDatatype.Fp32 =>
                Collect(data, name, datatype, Number(static (JsonElement e, out float v) => e.TryGetSingle(out v) && float.IsFinite(v))),
            TensorDatatype.Fp64 => Collect(data, name, datatype, Number(static (JsonElement e, out double v) => e.TryGetDouble(out v))),
            _ => Collect(data, name, datatype, static (JsonElement e, out ReadOnlyMemory<byte> v) =>
            {
                v = e.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(e.GetString()!) : default;
                return e.ValueKind == JsonValueKind.String;
            }),
        };
    }

    private delegate bool ElementReader<T>(JsonElement element, out T value);

    // Numbers must be JSON numbers: a quoted "1.5" is a mistake worth reporting, not guessing.
    private static ElementReader<T> Number<T>(ElementReader<T> read) => (JsonElement element, out T value) =>
    {
        value = default!;
        return element.ValueKind == JsonValueKind.Number && read(element, out value);
    };

    private static TensorData Collect<T>(JsonElement data, string name, string datatype, ElementReader<T> read)
    {
        var values = new List<T>();
        Append(data, values, name, datatype, read);
        return TensorData.Typed(values, TensorDataTerms.Json);
    }

    // Nested arrays are read depth first, which is row-major order.
    private static void Append<T>(JsonElement element, List<T> values, string name, string datatype, ElementReader<T> read)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Append(item, values, name, datatype, read);
            }

            return;
        }

        if (!read(element, out var value))
        {
            throw InferenceException.InvalidArgument(
                $"input '{EchoedText.Of(name)}' element {values.Count} is {Echo(element)}, which is not a {datatype} value");
        }

        values.Add(value);
    }

    /// <summary>A JSON value the caller sent, as a message repeats it.</summary>
    private static string Echo(JsonElement element) => EchoedText.Of(element.GetRawText());

    private static string? ReadId(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String => id.GetString(),
        JsonValueKind.Null => null,
        _ => throw InferenceException.InvalidArgument($"\"id\" must be a string, not {Echo(id)}"),
    };

    /// <summary>A request parameter's non-negative integer value; null when absent.</summary>
    private static ulong? ReadNonNegative(JsonElement parameters, string name)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty(name, out var parameter))
        {
            return null;
        }

        return parameter.ValueKind == JsonValueKind.Number && parameter.TryGetUInt64(out var value)
            ? value
            : throw InferenceException.InvalidArgument($"parameter '{name}' is {Echo(parameter)}; it must be a non-negative integer");
    }

    private static string RequiredString(JsonElement element, string property, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw InferenceException.InvalidArgument($"{where} needs a \"{property}\" string");
        }

        return value.GetString()!;
    }

    private static void RequireKind(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
        {
            throw InferenceException.InvalidArgument($"{what} must be {Describe(kind)}, not {Describe(element.ValueKind)}");
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

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
