namespace MlopsAspire.Serving;

/// <summary>
/// Text a caller sent (a model, version, input or output name, a request id, a value that did not parse) as
/// error messages repeat it: at most <see cref="MaxLength"/> characters, then an ellipsis. The name of a
/// megabyte-long model would otherwise come back whole in every refusal, and land whole in every log line that
/// quotes the refusal.
/// </summary>
public static class EchoedText
{
    public const int MaxLength = 128;

    public static string Of(string? text)
    {
        if (text is null || text.Length <= MaxLength)
        {
            return text ?? "";
        }

        // Never cut a surrogate pair in half: the message must stay valid UTF-16.
        var length = char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Concat(text.AsSpan(0, length), "…");
    }
}
