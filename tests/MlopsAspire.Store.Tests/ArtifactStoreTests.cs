using MlopsAspire.Artifacts;

namespace MlopsAspire.Store.Tests;

[Collection(StoreCollection.Name)]
public sealed class ArtifactStoreTests(StoreFixture fixture)
{
    private const int SmallChunk = 64 << 10;

    private readonly string prefix = StoreFixture.NewKeyPrefix();

    private ArtifactStore CreateStore(int chunkSize = SmallChunk, long maxArtifactSize = 2L << 30) =>
        new(fixture.Redis, new ArtifactStoreOptions { ChunkSize = chunkSize, MaxArtifactSize = maxArtifactSize, KeyPrefix = prefix });

    public static TheoryData<int> SizesAroundChunkBoundaries => [0, 1, SmallChunk - 1, SmallChunk, SmallChunk + 1, (3 * SmallChunk) + 5];

    [Theory]
    [MemberData(nameof(SizesAroundChunkBoundaries))]
    public async Task A_streamed_artifact_reads_back_identical_under_its_sha256(int size)
    {
        var store = CreateStore();
        var content = TestData.Bytes(size, seed: size);

        var descriptor = await store.PutAsync(new TrickleStream(content));

        Assert.Equal(new ArtifactDescriptor(TestData.Sha256(content), size), descriptor);
        Assert.Equal(descriptor, await store.GetDescriptorAsync(descriptor.Sha256));
        Assert.Equal(content, await store.ReadAllAsync(descriptor.Sha256));
        using var copy = new MemoryStream();
        await store.CopyToAsync(descriptor.Sha256, copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Theory]
    [MemberData(nameof(SizesAroundChunkBoundaries))]
    public async Task An_artifact_from_memory_reads_back_identical(int size)
    {
        var store = CreateStore();
        var content = TestData.Bytes(size, seed: size + 1);

        var descriptor = await store.PutAsync(content.AsMemory());

        Assert.Equal(new ArtifactDescriptor(TestData.Sha256(content), size), descriptor);
        Assert.Equal(content, await store.ReadAllAsync(descriptor.Sha256));
    }

    [Fact]
    public async Task A_several_mebibyte_model_round_trips_with_default_chunking()
    {
        var store = new ArtifactStore(fixture.Redis, new ArtifactStoreOptions { KeyPrefix = prefix });
        var content = TestData.Bytes((6 << 20) + 12345, seed: 6);

        var descriptor = await store.PutAsync(new MemoryStream(content));

        Assert.Equal(TestData.Sha256(content), descriptor.Sha256);
        Assert.Equal(content, await store.ReadAllAsync(descriptor.Sha256));
        // 7 chunks of 1 MiB (the last one partial) plus the manifest.
        Assert.Equal(8, (await fixture.KeysUnderAsync(prefix)).Count);
    }

    [Fact]
    public async Task The_expected_hash_is_accepted_in_either_case()
    {
        var store = CreateStore();
        var content = TestData.Bytes(1000, seed: 3);

        var descriptor = await store.PutAsync(new MemoryStream(content), TestData.Sha256(content).ToUpperInvariant());

        Assert.Equal(TestData.Sha256(content), descriptor.Sha256);
        Assert.NotNull(await store.GetDescriptorAsync(descriptor.Sha256.ToUpperInvariant()));
    }

    [Fact]
    public async Task A_wrong_expected_hash_is_rejected_naming_both_hashes_and_nothing_is_stored()
    {
        var store = CreateStore();
        var content = TestData.Bytes((2 * SmallChunk) + 9, seed: 4);
        var wrong = TestData.Sha256([1, 2, 3]);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => store.PutAsync(new TrickleStream(content), wrong));

        Assert.Contains(wrong, error.Message);
        Assert.Contains(TestData.Sha256(content), error.Message);
        Assert.Equal(TestData.Sha256(content), error.ActualSha256);
        Assert.Null(await store.GetDescriptorAsync(TestData.Sha256(content)));
        Assert.Empty(await fixture.KeysUnderAsync(prefix));
    }

    [Fact]
    public async Task Content_over_the_size_limit_is_rejected_naming_the_limit_and_nothing_is_stored()
    {
        var store = CreateStore(maxArtifactSize: (2 * SmallChunk) + 100);
        var content = TestData.Bytes(5 * SmallChunk, seed: 5);

        var streamed = await Assert.ThrowsAsync<ArtifactTooLargeException>(() => store.PutAsync(new TrickleStream(content)));
        var seekable = await Assert.ThrowsAsync<ArtifactTooLargeException>(() => store.PutAsync(new MemoryStream(content)));
        var inMemory = await Assert.ThrowsAsync<ArtifactTooLargeException>(() => store.PutAsync(content.AsMemory()));

        Assert.Contains(((2 * SmallChunk) + 100).ToString(System.Globalization.CultureInfo.InvariantCulture), streamed.Message);
        Assert.Equal((2 * SmallChunk) + 100, seekable.LimitBytes);
        Assert.Equal((2 * SmallChunk) + 100, inMemory.LimitBytes);
        Assert.Empty(await fixture.KeysUnderAsync(prefix));
    }

    [Fact]
    public async Task Content_exactly_at_the_size_limit_is_accepted()
    {
        var store = CreateStore(maxArtifactSize: SmallChunk + 1);
        var content = TestData.Bytes(SmallChunk + 1, seed: 55);

        var descriptor = await store.PutAsync(new TrickleStream(content));

        Assert.Equal(SmallChunk + 1, descriptor.Size);
    }

    [Fact]
    public async Task An_upload_whose_stream_fails_midway_leaves_nothing_behind()
    {
        var store = CreateStore();
        var content = TestData.Bytes(4 * SmallChunk, seed: 7);

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(new TrickleStream(content, failAfter: (2 * SmallChunk) + 500)));

        Assert.Empty(await store.ListAsync().ToListAsync());
        Assert.Empty(await fixture.KeysUnderAsync(prefix));
    }

    [Fact]
    public async Task A_cancelled_upload_leaves_nothing_behind()
    {
        var store = CreateStore();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync(new MemoryStream(TestData.Bytes(3 * SmallChunk, 8)), cancellation.Token));

        Assert.Empty(await fixture.KeysUnderAsync(prefix));
    }

    [Fact]
    public async Task Putting_the_same_content_again_returns_the_same_descriptor_and_keeps_one_copy()
    {
        var store = CreateStore();
        var content = TestData.Bytes((2 * SmallChunk) + 1, seed: 9);

        var first = await store.PutAsync(new TrickleStream(content));
        var keysAfterFirst = (await fixture.KeysUnderAsync(prefix)).Order().ToList();
        var second = await store.PutAsync(new TrickleStream(content));
        var third = await store.PutAsync(content.AsMemory());
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.PutAsync(new MemoryStream(content))));

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.All(concurrent, descriptor => Assert.Equal(first, descriptor));
        Assert.Equal([first], await store.ListAsync().ToListAsync());
        Assert.Equal(keysAfterFirst, (await fixture.KeysUnderAsync(prefix)).Order().ToList());
    }

    [Fact]
    public async Task Listing_returns_every_committed_artifact_once()
    {
        var store = CreateStore();
        var expected = new List<ArtifactDescriptor>();
        for (var i = 0; i < 3; i++)
            expected.Add(await store.PutAsync(TestData.Bytes(100 * (i + 1), seed: 20 + i).AsMemory()));

        var listed = await store.ListAsync().ToListAsync();

        Assert.Equal(expected.OrderBy(d => d.Sha256), listed.OrderBy(d => d.Sha256));
    }

    [Fact]
    public async Task A_tampered_chunk_is_detected_on_download()
    {
        var store = CreateStore();
        var content = TestData.Bytes((2 * SmallChunk) + 10, seed: 12);
        var descriptor = await store.PutAsync(content.AsMemory());
        var chunkKey = (await fixture.KeysUnderAsync(prefix + "blob:")).Single(key => key.EndsWith(":1", StringComparison.Ordinal));
        var tampered = content.AsSpan(SmallChunk, SmallChunk).ToArray();
        tampered[100] ^= 0xFF;
        await fixture.Redis.GetDatabase().StringSetAsync(chunkKey, tampered);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => store.CopyToAsync(descriptor.Sha256, Stream.Null));

        Assert.Equal(descriptor.Sha256, error.ExpectedSha256);
        Assert.NotNull(error.ActualSha256);
        Assert.NotEqual(descriptor.Sha256, error.ActualSha256);
        Assert.Contains("corrupted", error.Message);
    }

    [Fact]
    public async Task A_truncated_or_missing_chunk_is_detected_on_download()
    {
        var store = CreateStore();
        var content = TestData.Bytes((2 * SmallChunk) + 10, seed: 13);
        var descriptor = await store.PutAsync(content.AsMemory());
        var chunkKeys = await fixture.KeysUnderAsync(prefix + "blob:");
        var db = fixture.Redis.GetDatabase();

        await db.StringSetAsync(chunkKeys.Single(key => key.EndsWith(":0", StringComparison.Ordinal)), content.AsSpan(0, 10).ToArray());
        var truncated = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => store.ReadAllAsync(descriptor.Sha256));
        await db.KeyDeleteAsync(chunkKeys.Single(key => key.EndsWith(":2", StringComparison.Ordinal)));
        await db.StringSetAsync(chunkKeys.Single(key => key.EndsWith(":0", StringComparison.Ordinal)), content.AsSpan(0, SmallChunk).ToArray());
        var missing = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => store.ReadAllAsync(descriptor.Sha256));

        Assert.Contains("chunk 0", truncated.Message);
        Assert.Contains("chunk 2", missing.Message);
        Assert.Contains("missing", missing.Message);
    }

    [Fact]
    public async Task An_unknown_artifact_is_reported_as_not_found()
    {
        var store = CreateStore();
        var unknown = TestData.Sha256([42]);

        Assert.Null(await store.GetDescriptorAsync(unknown));
        Assert.False(await store.DeleteAsync(unknown));
        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.ReadAllAsync(unknown));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.CopyToAsync(unknown, Stream.Null));
        Assert.Contains(unknown, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("g000000000000000000000000000000000000000000000000000000000000000")]
    public async Task A_malformed_hash_argument_is_rejected(string sha256)
    {
        var store = CreateStore();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.GetDescriptorAsync(sha256));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(sha256));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(Stream.Null, sha256));

        Assert.Equal("sha256", error.ParamName);
        Assert.Contains("64 hexadecimal", error.Message);
    }

    [Fact]
    public async Task Deleting_removes_the_artifact_and_all_its_chunks()
    {
        var store = CreateStore();
        var content = TestData.Bytes((3 * SmallChunk) + 3, seed: 14);
        var descriptor = await store.PutAsync(content.AsMemory());

        Assert.True(await store.DeleteAsync(descriptor.Sha256));

        Assert.Null(await store.GetDescriptorAsync(descriptor.Sha256));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.ReadAllAsync(descriptor.Sha256));
        Assert.Empty(await fixture.KeysUnderAsync(prefix));
        Assert.False(await store.DeleteAsync(descriptor.Sha256));
        // And it can come back.
        Assert.Equal(descriptor, await store.PutAsync(content.AsMemory()));
        Assert.Equal(content, await store.ReadAllAsync(descriptor.Sha256));
    }

    [Fact]
    public async Task A_pinned_artifact_is_not_deleted_until_every_pin_is_released_or_expired()
    {
        var store = CreateStore();
        var content = TestData.Bytes((2 * SmallChunk) + 1, seed: 15);
        var descriptor = await store.PutAsync(content.AsMemory());

        var first = await store.PinAsync(descriptor.Sha256, TimeSpan.FromMinutes(5));
        var second = await store.PinAsync(descriptor.Sha256, TimeSpan.FromMinutes(5));
        Assert.False(await store.DeleteAsync(descriptor.Sha256));
        await first.DisposeAsync();
        Assert.False(await store.DeleteAsync(descriptor.Sha256));
        await second.DisposeAsync();
        Assert.True(await store.DeleteAsync(descriptor.Sha256));

        // A holder that never releases its pin (its process died) holds the artifact only until the pin expires. The
        // store expires pins on its own clock: the pin carries the duration it was asked for, and once an abandoned
        // one has run out the artifact can be deleted (waited for, as a busy store may expire it late).
        await store.PutAsync(content.AsMemory());
        await using (var held = await store.PinAsync(descriptor.Sha256, TimeSpan.FromMinutes(5)))
        {
            var expiry = await fixture.Redis.GetDatabase().KeyTimeToLiveAsync(held.Key);
            Assert.NotNull(expiry);
            Assert.InRange(expiry.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        }

        _ = await store.PinAsync(descriptor.Sha256, TimeSpan.FromMilliseconds(500));
        var giveUp = DateTime.UtcNow.AddSeconds(30);
        while (!await store.DeleteAsync(descriptor.Sha256))
        {
            Assert.True(DateTime.UtcNow < giveUp, "an abandoned pin still held the artifact 30 s after it should have expired");
            await Task.Delay(100);
        }

        Assert.Null(await store.GetDescriptorAsync(descriptor.Sha256));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.PinAsync(descriptor.Sha256, TimeSpan.Zero));
    }
}
