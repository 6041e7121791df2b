using StackExchange.Redis;

namespace MlopsAspire.Artifacts;

/// <summary>
/// Chunks of one upload, written under a fresh blob id with an expiry so a crashed uploader leaves
/// nothing behind for long. Nothing is visible until <see cref="CommitAsync"/> writes the manifest.
/// </summary>
internal sealed class ArtifactUpload(IDatabase database, ArtifactKeys keys, ArtifactStoreOptions options)
{
    private const int MaxCommitAttempts = 3;
    private const int KeysPerDelete = 1024;

    private readonly List<Task> inFlight = [];
    private long chunkCount;

    public string BlobId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Starts writing the next chunk. The caller must not touch <paramref name="chunk"/> until the task completes.</summary>
    public Task WriteChunkAsync(ReadOnlyMemory<byte> chunk)
    {
        var write = database.StringSetAsync(keys.Chunk(BlobId, chunkCount++), chunk, options.AbandonedUploadExpiry);
        inFlight.RemoveAll(task => task.IsCompletedSuccessfully);
        inFlight.Add(write);
        return write;
    }

    /// <summary>
    /// Makes the chunks permanent and writes the manifest in one transaction, on condition that no manifest
    /// exists yet (else the content is already stored and this copy is dropped) and that every chunk is
    /// still there (an upload slower than the expiry must not commit a hole).
    /// </summary>
    public async Task<ArtifactDescriptor> CommitAsync(string sha256, long size, CancellationToken cancellationToken)
    {
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        var manifest = ArtifactManifest.Create(size, options.ChunkSize, BlobId);
        if (manifest.ChunkCount != chunkCount)
            throw new InvalidOperationException($"Upload wrote {chunkCount} chunks but {size} bytes need {manifest.ChunkCount}.");

        var manifestKey = keys.Manifest(sha256);
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var transaction = database.CreateTransaction();
            transaction.AddCondition(Condition.KeyNotExists(manifestKey));
            for (long index = 0; index < chunkCount; index++)
            {
                var chunkKey = keys.Chunk(BlobId, index);
                transaction.AddCondition(Condition.KeyExists(chunkKey));
                _ = transaction.KeyPersistAsync(chunkKey);
            }
            _ = transaction.StringSetAsync(manifestKey, manifest.ToJson());

            if (await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
                return new ArtifactDescriptor(sha256, size);

            // Either someone committed the same content first (fine: ours is redundant) or our chunks expired.
            if (await database.KeyExistsAsync(manifestKey).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                await DiscardAsync().ConfigureAwait(false);
                return new ArtifactDescriptor(sha256, size);
            }
            if (attempt == MaxCommitAttempts)
            {
                throw new ArtifactException(
                    $"Upload of sha256:{sha256} could not be committed: its chunks expired or were removed before commit " +
                    $"(AbandonedUploadExpiry is {options.AbandonedUploadExpiry}). Upload it again.");
            }
        }
    }

    /// <summary>Removes whatever this upload wrote. Best effort: anything left expires on its own.</summary>
    public async Task DiscardAsync()
    {
        try
        {
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A failed chunk write left nothing to delete; the others are deleted below.
        }

        try
        {
            for (long first = 0; first < chunkCount; first += KeysPerDelete)
            {
                var batch = new RedisKey[(int)Math.Min(KeysPerDelete, chunkCount - first)];
                for (var i = 0; i < batch.Length; i++)
                    batch[i] = keys.Chunk(BlobId, first + i);
                await database.KeyDeleteAsync(batch).ConfigureAwait(false);
            }
        }
        catch (RedisException)
        {
            // The expiry set on every chunk removes them later.
        }
    }
}
