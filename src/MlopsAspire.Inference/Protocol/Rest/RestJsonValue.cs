using System.Text;
using System.Text.Json;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>
/// One JSON value of a request body as the bytes it was sent as, read again when asked: a place in the body, not
/// a copy of it and not a parsed tree. The default value stands for a member the body does not have.
/// </summary>
internal readonly struct RestJsonValue(ReadOnlyMemory<byte> bytes, JsonTokenType token)
{
    /// <summary>The value's text, from its first byte (a string's opening quote) to its last.</summary>
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public bool Exists => !Bytes.IsEmpty;

    public JsonValueKind Kind => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    /// <summary>The value at <paramref name="reader"/>'s current token, which the reader is moved past.</summary>
    public static RestJsonValue Take(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        var start = (int)reader.TokenStartIndex;
        var token = reader.TokenType;
        reader.Skip();
        return new RestJsonValue(json[start..(int)reader.BytesConsumed], token);
    }

    /// <summary>A reader positioned on the value's first token.</summary>
    public Utf8JsonReader Read()
    {
        var reader = new Utf8JsonReader(Bytes.Span);
        reader.Read();
        return reader;
    }

    public string? GetString() => Read().GetString();

    public bool TryGetInt32(out int value)
    {
        var reader = Read();
        value = 0;
        return Kind == JsonValueKind.Number && reader.TryGetInt32(out value);
    }

    public bool TryGetInt64(out long value)
    {
        var reader = Read();
        value = 0;
        return Kind == JsonValueKind.Number && reader.TryGetInt64(out value);
    }

    public bool TryGetUInt64(out ulong value)
    {
        var reader = Read();
        value = 0;
        return Kind == JsonValueKind.Number && reader.TryGetUInt64(out value);
    }

    /// <summary>
    /// An object's member, or the default value when there is none (or this is no object); when the name repeats,
    /// the last one, as a parsed document would give it.
    /// </summary>
    public RestJsonValue Member(string name)
    {
        if (Kind != JsonValueKind.Object)
        {
            return default;
        }

        RestJsonValue value = default;
        var reader = Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var matches = reader.ValueTextEquals(name);
            reader.Read();
            var member = Take(ref reader, Bytes);
            if (matches)
            {
                value = member;
            }
        }

        return value;
    }

    /// <summary>
    /// An array's items, in order, but no more than one past <paramref name="most"/>: a caller refuses an array longer
    /// than it accepts without first listing every item of it.
    /// </summary>
    public List<RestJsonValue> Items(int most = int.MaxValue)
    {
        var items = new List<RestJsonValue>();
        var reader = Read();
        while (items.Count <= most && reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(Take(ref reader, Bytes));
        }

        return items;
    }

    /// <summary>The value as an error message repeats it: the caller's own text, shortened.</summary>
    public string Echo() => Echo(Bytes.Span);

    /// <summary>JSON text as an error message repeats it, shortened before it is decoded.</summary>
    public static string Echo(ReadOnlySpan<byte> text)
    {
        // A UTF-8 character takes at most four bytes, so this many bytes hold more characters than an echo keeps.
        const int MostBytesEchoed = 4 * EchoedText.MaxLength + 4;
        return EchoedText.Of(Encoding.UTF8.GetString(text[..Math.Min(text.Length, MostBytesEchoed)]));
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
