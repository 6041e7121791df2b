using System.Globalization;
using System.Text.Json;

namespace MlopsAspire.ModelContracts;

/// <summary>
/// Reads typed values out of a config document, failing with a message that names the document, the field, what is
/// allowed and what was found: a misspelt or mistyped field is an error, never silently ignored.
/// </summary>
/// <param name="source">Named in every message, typically the file's path.</param>
public sealed class JsonFieldReader(string source)
{
    public string Source => source;

    /// <summary>Calls <paramref name="read"/> for each field of <paramref name="element"/>, refusing any not in <paramref name="allowed"/>.</summary>
    /// <param name="path">The object's own path with a trailing dot ("outputs."), or "" for the root.</param>
    public void ForEachField(JsonElement element, string path, IReadOnlyCollection<string> allowed, Action<string, JsonElement> read)
    {
        RequireObject(element, path);
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw Error(
                    $"unknown field '{path}{property.Name}'; allowed fields{(path.Length == 0 ? "" : $" of '{path.TrimEnd('.')}'")} are {string.Join(", ", allowed)}");
            }

            read(property.Name, property.Value);
        }
    }

    /// <summary>Calls <paramref name="read"/> for each field of an object whose field names are the user's (inputs, ranges).</summary>
    public void ForEachEntry(JsonElement element, string path, Action<string, JsonElement> read)
    {
        RequireObject(element, path);
        foreach (var property in element.EnumerateObject())
        {
            if (string.IsNullOrWhiteSpace(property.Name))
            {
                throw Fail(path.TrimEnd('.'), "must not have an empty field name", "\"\"");
            }

            read(property.Name, property.Value);
        }
    }

    public int WholeNumber(JsonElement value, string field, int min, int max) => (int)LongWholeNumber(value, field, min, max);

    public long LongWholeNumber(JsonElement value, string field, long min, long max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < min || number > max)
        {
            throw Fail(field, max is long.MaxValue or int.MaxValue ? $"must be an integer of at least {min}" : $"must be an integer from {min} to {max}", Describe(value));
        }

        return number;
    }

    public double Number(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw Fail(field, "must be a finite number", Describe(value));
        }

        return number;
    }

    public bool Bool(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Fail(field, "must be true or false", Describe(value)),
    };

    /// <summary>A non-empty string of at most <paramref name="maxLength"/> characters.</summary>
    public string Text(JsonElement value, string field, int maxLength = 256)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return !string.IsNullOrWhiteSpace(text) && text.Length <= maxLength
            ? text
            : throw Fail(field, $"must be a non-empty string of at most {maxLength} characters", Describe(value));
    }

    /// <summary>One of <paramref name="allowed"/> (compared without case), returned in lower case.</summary>
    public string Choice(JsonElement value, string field, IReadOnlyCollection<string> allowed)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.ToLowerInvariant() : null;
        return text is not null && allowed.Contains(text)
            ? text
            : throw Fail(field, $"must be one of {string.Join(", ", allowed)}", Describe(value));
    }

    /// <summary>A non-empty array of distinct non-empty strings.</summary>
    public List<string> DistinctStrings(JsonElement value, string field, int maxCount, int maxLength = 256)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 || value.GetArrayLength() > maxCount)
        {
            throw Fail(field, $"must be an array of 1 to {maxCount} strings", Describe(value));
        }

        var strings = value.EnumerateArray().Select(item => Text(item, field, maxLength)).ToList();
        var repeated = strings.GroupBy(text => text, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        return repeated is null ? strings : throw Fail(field, "must not repeat a name", $"\"{repeated.Key}\" twice");
    }

    public List<double> Numbers(JsonElement value, string field, int minCount, int maxCount)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() < minCount || value.GetArrayLength() > maxCount)
        {
            throw Fail(field, minCount == maxCount ? $"must be an array of {minCount} numbers" : $"must be an array of {minCount} to {maxCount} numbers", Describe(value));
        }

        return [.. value.EnumerateArray().Select(item => Number(item, field))];
    }

    public ModelContractException Fail(string field, string allowed, string got) => Error($"'{field}' {allowed}; got {got}");

    public ModelContractException Error(string message) => new($"{source}: {message}");

    /// <summary>A short description of what was found, never the whole value.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {value.GetArrayLength().ToString(CultureInfo.InvariantCulture)}",
        _ => Truncate(value.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path.Length == 0 ? "(root)" : path.TrimEnd('.'), "must be an object", Describe(element));
        }
    }
}
