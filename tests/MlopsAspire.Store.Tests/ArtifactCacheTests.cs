using MlopsAspire.Artifacts;

namespace MlopsAspire.Store.Tests;

[Collection(StoreCollection.Name)]
public sealed class ArtifactCacheTests(StoreFixture fixture) : IDisposable
{
    private readonly ArtifactStore store = new(fixture.Redis, new ArtifactStoreOptions { ChunkSize = 64 << 10, KeyPrefix = StoreFixture.NewKeyPrefix() });
    private readonly string directory = StoreFixture.CreateTemporaryDirectory();

    public void Dispose() => StoreFixture.DeleteDirectory(directory);

    [Fact]
    public async Task A_download_lands_as_a_verified_file_named_by_its_hash()
    {
        var content = TestData.Bytes(300_000, seed: 1);
        var descriptor = await store.PutAsync(content.AsMemory());
        var cache = new ArtifactCache(store, directory);

        var path = await cache.GetLocalPathAsync(descriptor.Sha256);

        Assert.Equal(Path.Combine(directory, descriptor.Sha256 + ".onnx"), path);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(directory));
    }

    [Fact]
    public async Task A_cached_file_is_reused_without_downloading_again()
    {
        var content = TestData.Bytes(200_000, seed: 2);
        var descriptor = await store.PutAsync(content.AsMemory());
        var cache = new ArtifactCache(store, directory);
        var path = await cache.GetLocalPathAsync(descriptor.Sha256);

        // Gone from the store: only the local copy can answer now.
        await store.DeleteAsync(descriptor.Sha256);
        var again = await cache.GetLocalPathAsync(descriptor.Sha256);
        var afterRestart = new ArtifactCache(store, directory);
        var verifiedFromDisk = await afterRestart.GetLocalPathAsync(descriptor.Sha256);

        Assert.Equal(path, again);
        Assert.Equal(path, verifiedFromDisk);
        Assert.Equal(1, cache.DownloadCount);
        Assert.Equal(0, afterRestart.DownloadCount);
    }

    [Fact]
    public async Task A_damaged_local_file_is_replaced_on_first_use_after_a_restart()
    {
        var content = TestData.Bytes(150_000, seed: 3);
        var descriptor = await store.PutAsync(content.AsMemory());
        var path = await new ArtifactCache(store, directory).GetLocalPathAsync(descriptor.Sha256);
        await File.WriteAllBytesAsync(path, content.AsSpan(0, 1000).ToArray());

        var restarted = new ArtifactCache(store, directory);
        var repaired = await restarted.GetLocalPathAsync(descriptor.Sha256);

        Assert.Equal(path, repaired);
        Assert.Equal(content, await File.ReadAllBytesAsync(repaired));
        Assert.Equal(1, restarted.DownloadCount);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_artifact_share_a_single_download()
    {
        var content = TestData.Bytes(2_000_000, seed: 4);
        var descriptor = await store.PutAsync(content.AsMemory());
        var cache = new ArtifactCache(store, directory);

        var paths = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => cache.GetLocalPathAsync(descriptor.Sha256))));

        Assert.Single(paths.Distinct());
        Assert.Equal(1, cache.DownloadCount);
        Assert.Equal(content, await File.ReadAllBytesAsync(paths[0]));
        Assert.Single(Directory.GetFiles(directory));
    }

    [Fact]
    public async Task A_missing_artifact_fails_without_caching_the_failure()
    {
        var content = TestData.Bytes(5000, seed: 5);
        var sha256 = TestData.Sha256(content);
        var cache = new ArtifactCache(store, directory);

        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => cache.GetLocalPathAsync(sha256));
        await store.PutAsync(content.AsMemory());
        var path = await cache.GetLocalPathAsync(sha256);

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Corrupted_store_content_never_becomes_a_cached_file()
    {
        var content = TestData.Bytes(100_000, seed: 6);
        var descriptor = await store.PutAsync(content.AsMemory());
        var chunkKey = (await fixture.KeysUnderAsync(store.Options.KeyPrefix + "blob:")).First();
        var db = fixture.Redis.GetDatabase();
        var chunk = (byte[])(await db.StringGetAsync(chunkKey))!;
        chunk[0] ^= 1;
        await db.StringSetAsync(chunkKey, chunk);
        var cache = new ArtifactCache(store, directory);

        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => cache.GetLocalPathAsync(descriptor.Sha256));

        Assert.Empty(Directory.GetFiles(directory));
    }
}
