using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace MlopsAspire.Abstractions;

/// <summary>
/// What text an audit entry (or a log line about one) may hold. Names and reasons come from callers, some without
/// a key, so each is cut to a bounded length and every control or bidirectional-formatting character is written
/// as an escape (<c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\uXXXX</c>): an entry cannot grow without bound, and cannot
/// forge another line or hide what it says.
/// </summary>
public static class AuditText
{
    /// <summary>Longest name (model, version, caller, operation, action) an entry keeps.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Longest free text (reason, detail) an entry keeps.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>A name bounded to <see cref="MaxNameLength"/> characters and escaped.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Name(string? text) => Bound(text, MaxNameLength);

    /// <summary>Free text bounded to <see cref="MaxTextLength"/> characters and escaped.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Text(string? text) => Bound(text, MaxTextLength);

    /// <summary>
    /// <paramref name="text"/> with control characters escaped, cut after <paramref name="maxLength"/> characters
    /// (escapes count as written) and then saying how many characters were left out.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Bound(string? text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (text is null || (text.Length <= maxLength && !NeedsEscape(text)))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 40);
        var next = 0;
        while (next < text.Length && builder.Length < maxLength)
        {
            var c = text[next];
            if (char.IsHighSurrogate(c) && next + 1 < text.Length && char.IsLowSurrogate(text[next + 1]))
            {
                builder.Append(c).Append(text[next + 1]);
                next += 2;
                continue;
            }

            switch (c)
            {
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (IsEscaped(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }

            next++;
        }

        if (next < text.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"… ({text.Length - next} more characters)");
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsEscaped(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Control characters, line and paragraph separators, bidirectional overrides and lone surrogates.</summary>
    private static bool IsEscaped(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || c is '\u2028' or '\u2029' or '\u200e' or '\u200f' or '\u061c'
        || c is >= '\u202a' and <= '\u202e'
        || c is >= '\u2066' and <= '\u2069';
}
