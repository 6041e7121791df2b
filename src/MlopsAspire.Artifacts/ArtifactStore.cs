using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using StackExchange.Redis;

namespace MlopsAspire.Artifacts;

/// <summary>
/// Content-addressed artifacts (model files) over the Redis protocol: chunked on upload, addressed by
/// SHA-256, verified on every download. Works against Garnet and Redis alike.
/// </summary>
public sealed class ArtifactStore
{
    private const int ChunkKeysPerDelete = 1024;
    private const int MaxDeleteAttempts = 3;
    private const int MemoryUploadWindow = 4;

    private readonly IConnectionMultiplexer redis;
    private readonly IDatabase database;
    private readonly ArtifactStoreOptions options;
    private readonly ArtifactKeys keys;

    public ArtifactStore(IConnectionMultiplexer redis, ArtifactStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new ArtifactStoreOptions();
        options.Validate();

        this.redis = redis;
        this.options = options;
        database = redis.GetDatabase();
        keys = new ArtifactKeys(options.KeyPrefix);
    }

    public ArtifactStoreOptions Options => options;

    /// <summary>Stores <paramref name="content"/> (read to its end) and returns its hash and size.</summary>
    public Task<ArtifactDescriptor> PutAsync(Stream content, CancellationToken ct = default) =>
        PutStreamAsync(content, expectedSha256: null, ct);

    /// <summary>Stores <paramref name="content"/> only if its SHA-256 equals <paramref name="expectedSha256"/>.</summary>
    public Task<ArtifactDescriptor> PutAsync(Stream content, string expectedSha256, CancellationToken ct = default) =>
        PutStreamAsync(content, Sha256Hex.Normalize(expectedSha256, nameof(expectedSha256)), ct);

    public async Task<ArtifactDescriptor> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        if (content.Length > options.MaxArtifactSize)
            throw new ArtifactTooLargeException(options.MaxArtifactSize);

        var sha256 = Sha256Hex.FromHash(SHA256.HashData(content.Span));
        if (await GetDescriptorAsync(sha256, ct).ConfigureAwait(false) is { } existing)
            return existing;

        // The caller's memory is already whole, so chunks are written straight from it, a few at a time.
        var upload = new ArtifactUpload(database, keys, options);
        try
        {
            var window = new Queue<Task>();
            for (var offset = 0; offset < content.Length; offset += options.ChunkSize)
            {
                ct.ThrowIfCancellationRequested();
                if (window.Count == MemoryUploadWindow)
                    await window.Dequeue().ConfigureAwait(false);
                window.Enqueue(upload.WriteChunkAsync(content.Slice(offset, Math.Min(options.ChunkSize, content.Length - offset))));
            }
            return await upload.CommitAsync(sha256, content.Length, ct).ConfigureAwait(false);
        }
        catch
        {
            await upload.DiscardAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<ArtifactDescriptor?> GetDescriptorAsync(string sha256, CancellationToken ct = default)
    {
        sha256 = Sha256Hex.Normalize(sha256, nameof(sha256));
        var manifest = await ReadManifestAsync(sha256, ct).ConfigureAwait(false);
        return manifest is null ? null : new ArtifactDescriptor(sha256, manifest.Size);
    }

    /// <summary>
    /// Streams the artifact into <paramref name="destination"/>, checking every chunk's length and, at the
    /// end, the SHA-256. On <see cref="ArtifactIntegrityException"/> the destination already holds part
    /// of the data and must be discarded.
    /// </summary>
    public async Task CopyToAsync(string sha256, Stream destination, CancellationToken ct = default)
    {
        sha256 = Sha256Hex.Normalize(sha256, nameof(sha256));
        ArgumentNullException.ThrowIfNull(destination);
        var manifest = await ReadManifestAsync(sha256, ct).ConfigureAwait(false) ?? throw new ArtifactNotFoundException(sha256);
        await CopyChunksAsync(sha256, manifest, destination, ct).ConfigureAwait(false);
    }

    public async Task<byte[]> ReadAllAsync(string sha256, CancellationToken ct = default)
    {
        sha256 = Sha256Hex.Normalize(sha256, nameof(sha256));
        var manifest = await ReadManifestAsync(sha256, ct).ConfigureAwait(false) ?? throw new ArtifactNotFoundException(sha256);
        if (manifest.Size > Array.MaxLength)
            throw new ArtifactException($"Artifact sha256:{sha256} has {manifest.Size} bytes, more than one array can hold; stream it with CopyToAsync.");

        var content = new byte[manifest.Size];
        using var destination = new MemoryStream(content, writable: true);
        await CopyChunksAsync(sha256, manifest, destination, ct).ConfigureAwait(false);
        return content;
    }

    /// <summary>
    /// Keeps <paramref name="sha256"/> from being deleted until the pin is disposed (or, should its holder die,
    /// <paramref name="duration"/> has passed), whether or not it is stored yet. An upload that may find its bytes
    /// already stored pins them first and then checks they are there, so a collector deleting the same bytes at that
    /// moment either runs before the check (the upload stores them again) or is refused. Pins of several uploads of
    /// the same bytes are counted separately.
    /// </summary>
    public async Task<ArtifactPin> PinAsync(string sha256, TimeSpan duration, CancellationToken ct = default)
    {
        sha256 = Sha256Hex.Normalize(sha256, nameof(sha256));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var pin = new ArtifactPin(database, keys.Pin(sha256), Guid.NewGuid().ToString("N"));
        var transaction = database.CreateTransaction();
        _ = transaction.SetAddAsync(pin.Key, pin.Token);
        _ = transaction.KeyExpireAsync(pin.Key, duration);
        await transaction.ExecuteAsync().WaitAsync(ct).ConfigureAwait(false);
        return pin;
    }

    /// <summary>Removes the artifact's manifest and chunks together; false if it was not stored or is pinned.</summary>
    public async Task<bool> DeleteAsync(string sha256, CancellationToken ct = default)
    {
        sha256 = Sha256Hex.Normalize(sha256, nameof(sha256));
        var manifestKey = keys.Manifest(sha256);
        var pinKey = keys.Pin(sha256);
        for (var attempt = 1; ; attempt++)
        {
            var json = await database.StringGetAsync(manifestKey).WaitAsync(ct).ConfigureAwait(false);
            if (json.IsNull)
                return false;

            if (await database.KeyExistsAsync(pinKey).WaitAsync(ct).ConfigureAwait(false))
                return false;

            // Only delete the version we read (a concurrent delete + re-upload points at other chunks), and only
            // while nobody has pinned it: both checked atomically with the delete.
            var manifest = ArtifactManifest.Parse(sha256, json.ToString());
            var transaction = database.CreateTransaction();
            transaction.AddCondition(Condition.StringEqual(manifestKey, json));
            transaction.AddCondition(Condition.KeyNotExists(pinKey));
            _ = transaction.KeyDeleteAsync(manifestKey);
            for (long first = 0; first < manifest.ChunkCount; first += ChunkKeysPerDelete)
            {
                var batch = new RedisKey[(int)Math.Min(ChunkKeysPerDelete, manifest.ChunkCount - first)];
                for (var i = 0; i < batch.Length; i++)
                    batch[i] = keys.Chunk(manifest.BlobId, first + i);
                _ = transaction.KeyDeleteAsync(batch);
            }

            if (await transaction.ExecuteAsync().WaitAsync(ct).ConfigureAwait(false))
                return true;
            if (attempt == MaxDeleteAttempts)
                throw new ArtifactException($"Artifact sha256:{sha256} kept changing while being deleted; try again.");
        }
    }

    /// <summary>Every committed artifact, in no particular order (a SCAN over the key prefix).</summary>
    public async IAsyncEnumerable<ArtifactDescriptor> ListAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in redis.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
                continue;

            await foreach (var key in server.KeysAsync(database.Database, keys.ManifestPattern, pageSize: 250).WithCancellation(ct).ConfigureAwait(false))
            {
                // SCAN may return a key twice; a foreign key that merely matches the pattern is skipped.
                var sha256 = keys.Sha256FromManifestKey(key.ToString());
                if (sha256 is null || !sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') || !seen.Add(sha256))
                    continue;

                var manifest = await ReadManifestAsync(sha256, ct).ConfigureAwait(false);
                if (manifest is not null)
                    yield return new ArtifactDescriptor(sha256, manifest.Size);
            }
        }
    }

    private async Task<ArtifactDescriptor> PutStreamAsync(Stream content, string? expectedSha256, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek && content.Length - content.Position > options.MaxArtifactSize)
            throw new ArtifactTooLargeException(options.MaxArtifactSize);

        var upload = new ArtifactUpload(database, keys, options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Two buffers: one is read into while the other is still being sent.
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(options.ChunkSize), ArrayPool<byte>.Shared.Rent(options.ChunkSize)];
        var writes = new Task?[2];
        try
        {
            long size = 0;
            for (var current = 0; ; current ^= 1)
            {
                if (writes[current] is { } previousWrite)
                    await previousWrite.ConfigureAwait(false);

                var buffer = buffers[current].AsMemory(0, options.ChunkSize);
                var filled = await FillAsync(content, buffer, ct).ConfigureAwait(false);
                if (filled == 0)
                    break;

                size += filled;
                if (size > options.MaxArtifactSize)
                    throw new ArtifactTooLargeException(options.MaxArtifactSize);

                hash.AppendData(buffer.Span[..filled]);
                writes[current] = upload.WriteChunkAsync(buffer[..filled]);
                if (filled < buffer.Length)
                    break;
            }

            var sha256 = Sha256Hex.FromHash(hash.GetHashAndReset());
            if (expectedSha256 is not null && sha256 != expectedSha256)
            {
                throw new ArtifactIntegrityException(expectedSha256, sha256,
                    $"Uploaded content has SHA-256 {sha256}, but {expectedSha256} was expected; nothing was stored. Check that the right file was sent in full.");
            }

            return await upload.CommitAsync(sha256, size, ct).ConfigureAwait(false);
        }
        catch
        {
            await upload.DiscardAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // DiscardAsync / CommitAsync have waited for every write, so the buffers are free again.
            foreach (var buffer in buffers)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; streams may return short reads.</summary>
    private static async Task<int> FillAsync(Stream content, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer[filled..], ct).ConfigureAwait(false);
            if (read == 0)
                break;
            filled += read;
        }
        return filled;
    }

    private async Task<ArtifactManifest?> ReadManifestAsync(string sha256, CancellationToken ct)
    {
        var json = await database.StringGetAsync(keys.Manifest(sha256)).WaitAsync(ct).ConfigureAwait(false);
        return json.IsNull ? null : ArtifactManifest.Parse(sha256, json.ToString());
    }

    private async Task CopyChunksAsync(string sha256, ArtifactManifest manifest, Stream destination, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // One chunk is fetched ahead while the current one is written out.
        var next = manifest.ChunkCount > 0 ? database.StringGetLeaseAsync(keys.Chunk(manifest.BlobId, 0)) : null;
        try
        {
            for (long index = 0; index < manifest.ChunkCount; index++)
            {
                var pending = next!;
                next = null;
                using var chunk = await pending.WaitAsync(ct).ConfigureAwait(false);
                if (index + 1 < manifest.ChunkCount)
                    next = database.StringGetLeaseAsync(keys.Chunk(manifest.BlobId, index + 1));

                if (chunk is null)
                {
                    throw new ArtifactIntegrityException(sha256, null,
                        $"Artifact sha256:{sha256} is corrupted: chunk {index} of {manifest.ChunkCount} is missing. Delete it and upload it again.");
                }
                var expectedLength = manifest.ExpectedChunkLength(index);
                if (chunk.Length != expectedLength)
                {
                    throw new ArtifactIntegrityException(sha256, null,
                        $"Artifact sha256:{sha256} is corrupted: chunk {index} of {manifest.ChunkCount} has {chunk.Length} bytes, expected {expectedLength}. Delete it and upload it again.");
                }

                hash.AppendData(chunk.Span);
                await destination.WriteAsync(chunk.Memory, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // A read-ahead abandoned by an exception still owns a pooled buffer.
            _ = next?.ContinueWith(static read => read.Result?.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        var actual = Sha256Hex.FromHash(hash.GetHashAndReset());
        if (actual != sha256)
        {
            throw new ArtifactIntegrityException(sha256, actual,
                $"Artifact sha256:{sha256} is corrupted: its {manifest.Size} stored bytes hash to {actual}. Delete it and upload it again.");
        }
    }
}
