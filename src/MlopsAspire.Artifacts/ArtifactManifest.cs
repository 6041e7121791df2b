using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsAspire.Artifacts;

/// <summary>
/// The record that makes an artifact visible: written last, in one transaction with making its chunks
/// permanent. Chunks live under <see cref="BlobId"/> (the upload's id), so committing never copies data.
/// </summary>
internal sealed record ArtifactManifest(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("chunkSize")] int ChunkSize,
    [property: JsonPropertyName("chunks")] long ChunkCount,
    [property: JsonPropertyName("blob")] string BlobId)
{
    public const int CurrentVersion = 1;

    public static ArtifactManifest Create(long size, int chunkSize, string blobId) =>
        new(CurrentVersion, size, chunkSize, ChunkCountFor(size, chunkSize), blobId);

    public static long ChunkCountFor(long size, int chunkSize) => (size + chunkSize - 1) / chunkSize;

    public int ExpectedChunkLength(long index) =>
        (int)Math.Min(ChunkSize, Size - (index * ChunkSize));

    public string ToJson() => JsonSerializer.Serialize(this, ArtifactManifestJsonContext.Default.ArtifactManifest);

    public static ArtifactManifest Parse(string sha256, string json)
    {
        ArtifactManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, ArtifactManifestJsonContext.Default.ArtifactManifest);
        }
        catch (JsonException ex)
        {
            throw new ArtifactIntegrityException(sha256, null, $"The manifest of artifact sha256:{sha256} is unreadable: {ex.Message}");
        }

        if (manifest is null || manifest.Version != CurrentVersion || manifest.Size < 0 || manifest.ChunkSize <= 0
            || manifest.ChunkCount != ChunkCountFor(manifest.Size, manifest.ChunkSize) || string.IsNullOrEmpty(manifest.BlobId))
        {
            throw new ArtifactIntegrityException(sha256, null, $"The manifest of artifact sha256:{sha256} is not a valid version-{CurrentVersion} manifest: {json}");
        }

        return manifest;
    }
}
