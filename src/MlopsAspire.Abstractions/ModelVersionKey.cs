namespace MlopsAspire.Abstractions;

/// <summary>The grain key of a model version and of its monitor, <c>name/version</c>. Model names may not contain '/'.</summary>
public static class ModelVersionKey
{
    public static string Format(string modelName, string version) => $"{modelName}/{version}";

    public static (string ModelName, string Version) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"A model version key looks like 'name/version', got '{key}'.", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
