using System.Text.Json;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>
/// Where the members of a KServe v2 JSON inference request are in its body, found in one pass that checks the
/// whole body is JSON and skips over each input's <c>data</c> without reading its values. Members may come in any
/// order; a repeated member counts once, the last time. Nothing is allocated in proportion to the data.
/// </summary>
internal sealed class RestRequestLayout
{
    /// <summary>
    /// More inputs (or requested outputs) than any model has: a longer list is refused when the scan reaches it,
    /// so a body of millions of tiny entries costs no more than one of this many.
    /// </summary>
    public const int MostTensors = 65_536;

    public RestJsonValue Root { get; private set; }

    public RestJsonValue Inputs { get; private set; }

    /// <summary>The items of <see cref="Inputs"/> when it is an array.</summary>
    public IReadOnlyList<RestInputLayout> InputItems { get; private set; } = [];

    public RestJsonValue Outputs { get; private set; }

    public RestJsonValue Parameters { get; private set; }

    public RestJsonValue Id { get; private set; }

    /// <summary>
    /// Finds the request's members. Throws <see cref="JsonException"/> when the body is not JSON, and
    /// <see cref="InferenceException"/> when it has more than <see cref="MostTensors"/> inputs.
    /// </summary>
    public static RestRequestLayout Scan(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        reader.Read();
        var request = new RestRequestLayout();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            request.Root = RestJsonValue.Take(ref reader, json);
            EndOfBody(ref reader);
            return request;
        }

        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = MemberName(ref reader, "inputs", "outputs", "parameters", "id");
            reader.Read();
            if (member == "inputs" && reader.TokenType == JsonTokenType.StartArray)
            {
                var inputsStart = (int)reader.TokenStartIndex;
                request.InputItems = ScanInputs(ref reader, json);
                request.Inputs = new RestJsonValue(json[inputsStart..(int)reader.BytesConsumed], JsonTokenType.StartArray);
                continue;
            }

            var value = RestJsonValue.Take(ref reader, json);
            switch (member)
            {
                case "inputs":
                    request.Inputs = value;
                    request.InputItems = [];
                    break;
                case "outputs":
                    request.Outputs = value;
                    break;
                case "parameters":
                    request.Parameters = value;
                    break;
                case "id":
                    request.Id = value;
                    break;
            }
        }

        request.Root = new RestJsonValue(json[start..(int)reader.BytesConsumed], JsonTokenType.StartObject);
        EndOfBody(ref reader);
        return request;
    }

    /// <summary>The items of the inputs array; the reader ends on its closing bracket.</summary>
    private static List<RestInputLayout> ScanInputs(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        var inputs = new List<RestInputLayout>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (inputs.Count == MostTensors)
            {
                throw InferenceException.InvalidArgument(
                    $"\"inputs\" has more than {MostTensors} entries; send each of the model's inputs once");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                inputs.Add(new RestInputLayout { Self = RestJsonValue.Take(ref reader, json) });
                continue;
            }

            var start = (int)reader.TokenStartIndex;
            var input = new RestInputLayout();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = MemberName(ref reader, "name", "datatype", "shape", "parameters", "data");
                reader.Read();
                var value = RestJsonValue.Take(ref reader, json);
                switch (member)
                {
                    case "name":
                        input.Name = value;
                        break;
                    case "datatype":
                        input.Datatype = value;
                        break;
                    case "shape":
                        input.Shape = value;
                        break;
                    case "parameters":
                        input.Parameters = value;
                        break;
                    case "data":
                        input.Data = value;
                        break;
                }
            }

            input.Self = new RestJsonValue(json[start..(int)reader.BytesConsumed], JsonTokenType.StartObject);
            inputs.Add(input);
        }

        return inputs;
    }

    /// <summary>Which of <paramref name="names"/> the property name at the reader is (escapes resolved); null for none.</summary>
    private static string? MemberName(ref Utf8JsonReader reader, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (reader.ValueTextEquals(name))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Reads to the end, so that anything after the request's object is refused as JSON would refuse it.</summary>
    private static void EndOfBody(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }
}
