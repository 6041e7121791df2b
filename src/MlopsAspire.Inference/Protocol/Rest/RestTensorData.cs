using System.Text.Json;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>
/// Reads an input's JSON <c>data</c> (flat or nested arrays, read depth first, which is row-major order) straight
/// into an array of the values the engine takes for its datatype: booleans, int for INT8/16/32, long, uint for
/// UINT8/16/32, ulong, float for FP16/BF16/FP32 (converted by the engine), double, and UTF-8 bytes for BYTES
/// strings. The array is sized from the declared shape, but never beyond what the data's bytes can hold, and a
/// value past the shape stops the reading there.
/// </summary>
internal static class RestTensorData
{
    /// <param name="declaredElements">What the shape declares; null when the shape has a dimension that is not positive, which the engine refuses.</param>
    public static TensorData Read(RestJsonValue data, string name, string datatype, long? declaredElements)
    {
        if (!TensorDatatypes.TryParse(datatype, out var parsed) || declaredElements is not { } declared)
        {
            // The engine refuses the datatype (naming the model's) or the shape; no values are needed to say it.
            return TensorData.Typed(Array.Empty<float>(), TensorDataTerms.Json);
        }

        var input = new Input(data, name, datatype, declared);
        return parsed switch
        {
            TensorDatatype.Bool => Collect<bool, BoolValue>(input),
            TensorDatatype.Int8 or TensorDatatype.Int16 or TensorDatatype.Int32 => Collect<int, Int32Value>(input),
            TensorDatatype.Int64 => Collect<long, Int64Value>(input),
            TensorDatatype.UInt8 or TensorDatatype.UInt16 or TensorDatatype.UInt32 => Collect<uint, UInt32Value>(input),
            TensorDatatype.UInt64 => Collect<ulong, UInt64Value>(input),
            TensorDatatype.Fp16 or TensorDatatype.Bf16 or TensorDatatype.Fp32 => Collect<float, SingleValue>(input),
            TensorDatatype.Fp64 => Collect<double, DoubleValue>(input),
            _ => Collect<ReadOnlyMemory<byte>, BytesValue>(input),
        };
    }

    private readonly record struct Input(RestJsonValue Data, string Name, string Datatype, long Declared);

    private static TensorData Collect<T, TValue>(Input input)
        where TValue : IJsonElementValue<T>
    {
        var json = input.Data.Bytes.Span;
        // A value takes at least one byte and a comma; brackets take more. Only this many can be in the data.
        var most = input.Data.Kind == JsonValueKind.Array ? Math.Max(0, (json.Length - 1) / 2) : 1;
        // Every element is written before the array is read, or the request is refused.
        var values = GC.AllocateUninitializedArray<T>((int)Math.Min(input.Declared, most));
        var count = 0;
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray)
            {
                continue;
            }

            if (count == values.Length)
            {
                // Only a shape smaller than the data's room gets here: the value is one past what the shape declares.
                throw InferenceException.InvalidArgument(
                    $"input '{EchoedText.Of(input.Name)}' has more values in data than the {input.Declared} its shape declares; element {count} is one too many");
            }

            if (!TValue.TryRead(ref reader, out values[count]))
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                throw InferenceException.InvalidArgument(
                    $"input '{EchoedText.Of(input.Name)}' element {count} is {RestJsonValue.Echo(json[start..(int)reader.BytesConsumed])}, which is not a {input.Datatype} value");
            }

            count++;
        }

        // Fewer values than the shape declares: the engine counts them and says so in its own words.
        return TensorData.Typed(count == values.Length ? values : values[..count], TensorDataTerms.Json);
    }

    /// <summary>Reads one JSON value as an element of a datatype, or says it is not one.</summary>
    private interface IJsonElementValue<T>
    {
        static abstract bool TryRead(ref Utf8JsonReader reader, out T value);
    }

    private readonly struct BoolValue : IJsonElementValue<bool>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out bool value)
        {
            value = reader.TokenType == JsonTokenType.True;
            return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
        }
    }

    // Numbers must be JSON numbers: a quoted "1.5" is a mistake worth reporting, not guessing.
    private readonly struct Int32Value : IJsonElementValue<int>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out int value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
        }
    }

    private readonly struct Int64Value : IJsonElementValue<long>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out long value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
        }
    }

    private readonly struct UInt32Value : IJsonElementValue<uint>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out uint value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out value);
        }
    }

    private readonly struct UInt64Value : IJsonElementValue<ulong>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out ulong value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out value);
        }
    }

    private readonly struct SingleValue : IJsonElementValue<float>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out float value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out value) && float.IsFinite(value);
        }
    }

    private readonly struct DoubleValue : IJsonElementValue<double>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out double value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
        }
    }

    /// <summary>A BYTES element: the string's UTF-8 bytes, its escapes resolved.</summary>
    private readonly struct BytesValue : IJsonElementValue<ReadOnlyMemory<byte>>
    {
        public static bool TryRead(ref Utf8JsonReader reader, out ReadOnlyMemory<byte> value)
        {
            value = default;
            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            if (!reader.ValueIsEscaped)
            {
                value = reader.ValueSpan.ToArray();
                return true;
            }

            // Resolving escapes never lengthens a string.
            var buffer = new byte[reader.ValueSpan.Length];
            try
            {
                value = buffer.AsMemory(0, reader.CopyString(buffer));
                return true;
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate (\ud800) is no text, and so no string's bytes.
                return false;
            }
        }
    }
}
