using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MlopsAspire.Artifacts;

/// <summary>
/// A replica's local copy of artifacts, one file per SHA-256. Files appear only complete and verified
/// (download to a temporary file, check, rename); a file found on disk is re-hashed once per process
/// before it is trusted; callers asking for the same artifact at once share one download.
/// </summary>
public sealed class ArtifactCache
{
    private const string TemporarySuffix = ".partial";

    private readonly ArtifactStore store;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> verified = new(StringComparer.Ordinal);
    private int downloadCount;

    public ArtifactCache(ArtifactStore store, string directory)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        this.store = store;
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>Downloads started by this instance; lets tests see that concurrent callers share one.</summary>
    internal int DownloadCount => downloadCount;

    /// <summary>Extension of cached files; model loaders are happier with a familiar one.</summary>
    public string FileExtension { get; init; } = ".onnx";

    /// <summary>The path of a verified local copy of the artifact, downloading it if needed.</summary>
    /// <exception cref="ArtifactNotFoundException">The store does not have it.</exception>
    /// <exception cref="ArtifactIntegrityException">The stored content is corrupted.</exception>
    public async Task<string> GetLocalPathAsync(string sha256, CancellationToken ct = default)
    {
        sha256 = Sha256Hex.Normalize(sha256, nameof(sha256));
        while (true)
        {
            var entry = verified.GetOrAdd(sha256, key => new Lazy<Task<string>>(() => EnsureLocalCopyAsync(key)));
            string path;
            try
            {
                // The shared work is not tied to one caller's token: a caller giving up must not fail the others.
                path = await entry.Value.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Let the next caller try afresh instead of caching the failure.
                verified.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(sha256, entry));
                throw;
            }

            if (File.Exists(path))
                return path;

            // Removed from disk behind our back: fetch it again.
            verified.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(sha256, entry));
        }
    }

    private async Task<string> EnsureLocalCopyAsync(string sha256)
    {
        var path = Path.Combine(Directory, sha256 + FileExtension);
        if (File.Exists(path))
        {
            if (await HashFileAsync(path).ConfigureAwait(false) == sha256)
                return path;
            File.Delete(path);
        }

        System.IO.Directory.CreateDirectory(Directory);
        Interlocked.Increment(ref downloadCount);
        var temporary = Path.Combine(Directory, $"{sha256}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true))
            {
                // CopyToAsync verifies size and SHA-256 before returning.
                await store.CopyToAsync(sha256, file).ConfigureAwait(false);
                await file.FlushAsync().ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            return path;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static async Task<string> HashFileAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        return Sha256Hex.FromHash(await SHA256.HashDataAsync(file).ConfigureAwait(false));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file is harmless: its name never matches a cached artifact.
        }
    }
}
