namespace MlopsAspire.Abstractions;

/// <summary>What a model name may be: it is a grain key, a URL segment and half of a version key.</summary>
public static class ModelNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static void Validate(string? name)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"A model name is 1-{MaxLength} characters of letters, digits, '-', '_' or '.', starting with a letter or digit; got '{name}'.",
                nameof(name));
        }
    }
}
