using System.Diagnostics.CodeAnalysis;

namespace MlopsAspire.Artifacts;

/// <summary>The one spelling of a content hash used in keys and descriptors: 64 lowercase hex digits.</summary>
internal static class Sha256Hex
{
    public const int Length = 64;

    /// <summary>Accepts either case (hashes are often pasted from tools that print uppercase) and returns lowercase.</summary>
    public static string Normalize([NotNull] string? value, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (value.Length != Length || !value.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"Expected a SHA-256 as {Length} hexadecimal characters, got '{Truncate(value)}' ({value.Length} characters).", parameterName);
        return value.ToLowerInvariant();
    }

    public static string FromHash(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
