using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace MlopsAspire.Artifacts;

/// <summary>Key layout: <c>{prefix}sha256:{hash}</c> holds the manifest, <c>{prefix}blob:{id}:{n}</c> chunk n, <c>{prefix}pin:{hash}</c> a pin.</summary>
internal sealed class ArtifactKeys(string prefix)
{
    private const string ManifestSegment = "sha256:";

    public RedisKey Manifest(string sha256) => prefix + ManifestSegment + sha256;

    /// <summary>Present while an upload relies on the artifact; a delete leaves a pinned artifact alone.</summary>
    public RedisKey Pin(string sha256) => prefix + "pin:" + sha256;

    public RedisKey Chunk(string blobId, long index) =>
        prefix + "blob:" + blobId + ":" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>SCAN pattern of all manifests; glob characters in the prefix are escaped so they match literally.</summary>
    public string ManifestPattern => EscapeGlob(prefix) + ManifestSegment + "*";

    public string? Sha256FromManifestKey(string key) =>
        key.Length == prefix.Length + ManifestSegment.Length + Sha256Hex.Length
        && key.StartsWith(prefix + ManifestSegment, StringComparison.Ordinal)
            ? key[(prefix.Length + ManifestSegment.Length)..]
            : null;

    private static string EscapeGlob(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
                escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
