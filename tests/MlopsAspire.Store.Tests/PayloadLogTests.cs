using System.Text;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Artifacts.Payloads;

namespace MlopsAspire.Store.Tests;

public sealed class PayloadLogTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private PayloadLog NewLog(int maxLabelled = 1000) =>
        new(fixture.Redis, new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), MaxLabelledEntries = maxLabelled });

    [Fact]
    public async Task Feedback_joins_logged_payloads_by_request_id_exactly_once()
    {
        var log = NewLog();
        log.Append([Payload("r1", rows: 1, seed: 1), Payload("r2", rows: 2, seed: 2)]);
        await log.AppendAsync(Payload("r3", rows: 1, seed: 3));

        var join = await log.JoinAsync("fraud", [new("r1", [1f]), new("r2", [0f, 1f]), new("missing", [1f])], Now);

        Assert.Equal(["r1", "r2"], join.Joined.Select(j => j.Payload.RequestId));
        Assert.Equal(["missing"], join.UnknownRequestIds);
        Assert.Empty(join.Rejected);
        var expected = Payload("r2", rows: 2, seed: 2);
        var r2 = join.Joined[1];
        Assert.Equal(expected.Features, r2.Payload.Features);
        Assert.Equal(expected.Scores, r2.Payload.Scores);
        Assert.Equal("2", r2.Payload.ModelVersion);

        var again = await log.JoinAsync("fraud", [new("r1", [1f])], Now);
        Assert.Empty(again.Joined);
        Assert.Empty(again.UnknownRequestIds);
        Assert.Equal(["r1"], again.AlreadyLabelledRequestIds);

        var labelled = await log.ReadLabelledAsync("fraud", 10);
        Assert.Equal(["r2", "r1"], labelled.Select(l => l.Payload.RequestId));
        Assert.Equal([0f, 1f], labelled[0].Labels);
    }

    [Fact]
    public async Task A_label_sent_again_is_already_labelled_and_a_different_one_is_rejected_while_the_payload_would_have_waited()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), JoinWindow = TimeSpan.FromHours(1) };
        var log = new PayloadLog(fixture.Redis, options);
        await log.AppendAsync(Payload("r1", rows: 2, seed: 1));
        await log.AppendAsync(Payload("r2", rows: 1, seed: 2));
        await log.AppendAsync(Payload("r3", rows: 1, seed: 3));
        var first = await log.JoinAsync("fraud", [new("r1", [0f, 1f]), new("r2", [1f]), new("r3", [1f, 1f])], Now);
        Assert.Equal(["r1", "r2"], first.Joined.Select(j => j.Payload.RequestId));
        Assert.Equal(["request 'r3' has 1 rows but 2 labels"], first.Rejected);

        var retried = await log.JoinAsync("fraud", [new("r1", [0f, 1f]), new("r2", [0f]), new("r3", [1f]), new("never", [1f])], Now);

        Assert.Empty(retried.Joined);
        Assert.Equal(["r1"], retried.AlreadyLabelledRequestIds);
        Assert.Equal(["request 'r2' was already labelled with a different label; the first label stands"], retried.Rejected);
        // A refused label labelled nothing, and a request never logged stays unknown.
        Assert.Equal(["r3", "never"], retried.UnknownRequestIds);
        var labelled = await log.ReadLabelledAsync("fraud", 10);
        Assert.Equal([("r2", 1f), ("r1", 0f)], labelled.Select(l => (l.Payload.RequestId, l.Labels[0])));

        // What remembers a label lives no longer than its payload would have waited, and is as small as a fingerprint.
        var database = fixture.Redis.GetDatabase();
        var marks = (await fixture.KeysUnderAsync($"{options.KeyPrefix}labelled-id:")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"{options.KeyPrefix}labelled-id:fraud:r1", $"{options.KeyPrefix}labelled-id:fraud:r2"], marks);
        foreach (var mark in marks)
        {
            var left = await database.KeyTimeToLiveAsync(mark);
            Assert.InRange(left!.Value, TimeSpan.FromMinutes(59), options.JoinWindow);
            Assert.Equal(16, (await database.StringGetAsync(mark)).Length());
        }
    }

    [Fact]
    public async Task A_shadow_versions_scores_are_joined_with_the_same_labels_once()
    {
        var log = NewLog();
        await log.AppendAsync(Payload("r1", rows: 2, seed: 1));
        await log.WriteShadowScoresAsync([new ShadowScoreRecord("fraud", "3", "r1", Now, Now, [0.2f, 0.7f])]);
        // A logged request no shadow scored.
        await log.AppendAsync(Payload("r-sync", rows: 1, seed: 2));

        var join = await log.JoinAsync("fraud", [new("r1", [0f, 1f])], Now, ["3", "4"]);

        var shadow = Assert.Single(join.Shadows);
        Assert.Equal(("3", Now), (shadow.ShadowVersion, shadow.At));
        Assert.Equal([0.2f, 0.7f], shadow.Scores);
        Assert.Equal([0f, 1f], shadow.Labels);
        Assert.Empty((await log.JoinAsync("fraud", [new("r-sync", [1f])], Now, ["3"])).Shadows);
    }

    [Fact]
    public async Task Shadow_scores_of_one_batch_share_a_hash_per_shadow_and_payload_minute_and_are_all_joined()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), JoinWindow = TimeSpan.FromHours(2) };
        var log = new PayloadLog(fixture.Redis, options);
        // Two payloads either side of a minute boundary; their scores are written together, later.
        var early = Payload("b1", rows: 1, seed: 1) with { At = Now.AddMilliseconds(59_999) };
        var late = Payload("b2", rows: 1, seed: 2) with { At = Now.AddMinutes(1) };
        await log.AppendAsync(early);
        await log.AppendAsync(late);
        var scoredAt = Now.AddMinutes(3);
        await log.WriteShadowScoresAsync(
        [
            new ShadowScoreRecord("fraud", "3", "b1", early.At, scoredAt, [0.1f]),
            new ShadowScoreRecord("fraud", "4", "b1", early.At, scoredAt, [0.2f]),
            new ShadowScoreRecord("fraud", "3", "b2", late.At, scoredAt, [0.3f]),
        ]);

        var database = fixture.Redis.GetDatabase();
        var minute = early.At.ToUnixTimeMilliseconds() / 60_000;
        var buckets = new[] { $"{options.KeyPrefix}shadow:fraud:3:{minute}", $"{options.KeyPrefix}shadow:fraud:4:{minute}", $"{options.KeyPrefix}shadow:fraud:3:{minute + 1}" };
        var lengths = await Task.WhenAll(buckets.Select(key => database.HashLengthAsync(key)));
        Assert.Equal([1L, 1L, 1L], lengths);
        var ttl = await database.KeyTimeToLiveAsync(buckets[0]);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(2), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));

        var join = await log.JoinAsync("fraud", [new("b1", [1f]), new("b2", [0f])], Now, ["3", "4"]);

        Assert.Equal(
            [("3", 0.1f, 1f), ("4", 0.2f, 1f), ("3", 0.3f, 0f)],
            join.Shadows.Select(shadow => (shadow.ShadowVersion, shadow.Scores[0], shadow.Labels[0])));
        Assert.All(join.Shadows, shadow => Assert.Equal(scoredAt, shadow.At));
        // Joined scores leave their hash.
        lengths = await Task.WhenAll(buckets.Select(key => database.HashLengthAsync(key)));
        Assert.Equal([0L, 0L, 0L], lengths);
    }

    [Fact]
    public async Task A_model_logged_faster_than_the_pending_cap_allows_gets_a_shorter_join_window_shared_by_every_writer()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), MaxPendingEntries = 100, JoinWindow = TimeSpan.FromMinutes(10) };
        var time = new FakeTimeProvider(Now.AddSeconds(30));
        var first = new PayloadLog(fixture.Redis, options, time);
        var second = new PayloadLog(fixture.Redis, options, time);
        var database = fixture.Redis.GetDatabase();
        Assert.Equal(options.JoinWindow, first.PendingWindow("fraud"));

        // 50 payloads in the first 30 s of a minute: 1.67 a second, so 100 waiting ones cover 60 s. The batch that
        // brought the news was written before it, with the whole window.
        await first.WriteAsync([.. Enumerable.Range(0, 50).Select(i => Payload($"a{i}", rows: 1, seed: i))]);
        AssertWindow(60, first.PendingWindow("fraud"));
        await AssertTimeToLive("a0", TimeSpan.FromMinutes(10));

        // Another replica's payloads count towards the same cap: 75 in 30 s.
        await second.WriteAsync([.. Enumerable.Range(0, 25).Select(i => Payload($"b{i}", rows: 1, seed: i))]);
        AssertWindow(40, second.PendingWindow("fraud"));

        // Half a minute into the next minute, the last minute's 75 set the rate until this one's count passes it.
        time.Advance(TimeSpan.FromMinutes(1));
        await first.WriteAsync([.. Enumerable.Range(0, 5).Select(i => Payload($"c{i}", rows: 1, seed: i))]);
        await AssertTimeToLive("c0", TimeSpan.FromSeconds(60));
        AssertWindow(80, first.PendingWindow("fraud"));

        // A model logged slowly keeps the whole join window.
        await first.WriteAsync([Payload("slow-1", rows: 1, seed: 1) with { ModelName = "slow" }]);
        Assert.Equal(options.JoinWindow, first.PendingWindow("slow"));
        Assert.Equal(["fraud", "slow"], first.PendingWindows.Select(window => window.Key).Order());

        static void AssertWindow(double seconds, TimeSpan actual) =>
            Assert.InRange(actual.TotalSeconds, seconds - 0.001, seconds + 0.001);

        async Task AssertTimeToLive(string requestId, TimeSpan window)
        {
            var ttl = await database.KeyTimeToLiveAsync($"{options.KeyPrefix}pending:fraud:{requestId}");
            Assert.InRange(ttl!.Value, window - TimeSpan.FromSeconds(5), window);
        }
    }

    [Fact]
    public async Task Labels_that_do_not_match_the_row_count_are_rejected_with_the_reason()
    {
        var log = NewLog();
        await log.AppendAsync(Payload("r1", rows: 2, seed: 1));
        var join = await log.JoinAsync("fraud", [new("r1", [1f])], Now);
        Assert.Empty(join.Joined);
        Assert.Contains("2 rows but 1 labels", Assert.Single(join.Rejected));
    }

    [Fact]
    public async Task The_labelled_list_is_capped_newest_first()
    {
        var log = NewLog(maxLabelled: 5);
        for (var i = 0; i < 8; i++)
        {
            await log.AppendAsync(Payload($"r{i}", rows: 1, seed: i));
            await log.JoinAsync("fraud", [new($"r{i}", [i % 2])], Now);
        }

        Assert.Equal(5, await log.CountLabelledAsync("fraud"));
        Assert.Equal(["r7", "r6", "r5", "r4", "r3"], (await log.ReadLabelledAsync("fraud", 100)).Select(l => l.Payload.RequestId));
    }

    [Fact]
    public void Malformed_payloads_are_refused_before_anything_is_written()
    {
        var log = NewLog();
        var error = Assert.Throws<ArgumentException>(() => log.Append([Payload("r1", rows: 1, seed: 1) with { Features = new float[13] }]));
        Assert.Contains("not a multiple of 12", error.Message);
        Assert.Throws<ArgumentException>(() => log.Append([Payload("", rows: 1, seed: 1)]));
    }

    [Fact]
    public async Task Queued_payloads_are_written_in_pipelined_batches_and_joined_like_direct_ones()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), WriterMaxBatch = 16 };
        var log = new PayloadLog(fixture.Redis, options);
        var writer = new PayloadLogWriter(log, options);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(writer.TryAppend(Payload($"q{i}", rows: 1 + i % 3, seed: i)));
        }

        await writer.DisposeAsync();

        Assert.Equal((100L, 0L, 0L), (writer.Written, writer.Dropped, writer.Failed));
        var join = await log.JoinAsync("fraud", [new("q0", [1f]), new("q98", [0f, 1f, 1f]), new("q99", [1f])], Now);
        Assert.Equal(["q0", "q98", "q99"], join.Joined.Select(joined => joined.Payload.RequestId));
        Assert.Equal(Payload("q98", rows: 3, seed: 98).Features, join.Joined[1].Payload.Features);
        Assert.Equal(Payload("q98", rows: 3, seed: 98).Scores, join.Joined[1].Payload.Scores);
        Assert.False(writer.TryAppend(Payload("late", rows: 1, seed: 1)));
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public async Task Shadow_scores_queued_without_waking_the_writer_are_still_written_and_joined()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix() };
        var log = new PayloadLog(fixture.Redis, options);
        var writer = new PayloadLogWriter(log, options);
        Assert.True(writer.TryAppend(Payload("s1", rows: 2, seed: 1)));
        Assert.True(writer.TryAppendShadowScores(new ShadowScoreRecord("fraud", "3", "s1", Now, Now, [0.25f, 0.75f])));

        // No payload follows: the writer finds the scores by polling, not by being woken.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (writer.ShadowScoresWritten < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "shadow scores not written within 30 s");
            await Task.Delay(20);
        }

        var join = await log.JoinAsync("fraud", [new("s1", [0f, 1f])], Now, ["3"]);
        Assert.Equal("s1", Assert.Single(join.Joined).Payload.RequestId);
        var shadow = Assert.Single(join.Shadows);
        Assert.Equal([0.25f, 0.75f], shadow.Scores);

        await writer.DisposeAsync();
        Assert.False(writer.TryAppendShadowScores(new ShadowScoreRecord("fraud", "3", "late", Now, Now, [0.5f])));
        Assert.Equal((1L, 1L, 0L), (writer.Written, writer.Dropped, writer.Failed));
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_without_waiting_for_the_store()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), WriterQueueCapacity = 4 };
        var log = new PayloadLog(fixture.Redis, options);
        var storeStalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new PayloadLogWriter(log, options, async batch =>
        {
            await storeStalled.Task;
            return await log.WriteAsync(batch);
        });

        // The first payload is taken into a batch that waits on the stalled store; four more fill the queue.
        Assert.True(writer.TryAppend(Payload("f0", rows: 1, seed: 0)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (writer.Queued > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the writer did not take the first payload");
            await Task.Delay(5);
        }

        // The store answers nothing until the appends are done: had an append waited on it, it would never return
        // (the safety net turns that into a failure instead of a hung test).
        var accepted = await Task.Run(() => Enumerable.Range(1, 10).Select(i => writer.TryAppend(Payload($"f{i}", rows: 1, seed: i))).ToList())
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([true, true, true, true, false, false, false, false, false, false], accepted);
        Assert.Equal(6, writer.Dropped);

        storeStalled.SetResult();
        await writer.DisposeAsync();
        Assert.Equal(5, writer.Written);
        var join = await log.JoinAsync("fraud", [new("f4", [1f]), new("f5", [1f])], Now);
        Assert.Equal(["f4"], join.Joined.Select(joined => joined.Payload.RequestId));
        Assert.Equal(["f5"], join.UnknownRequestIds);
    }

    [Fact]
    public void The_span_encoding_is_byte_for_byte_what_BinaryWriter_wrote()
    {
        // A request id over 127 UTF-8 bytes needs a two-byte length prefix; "é" is two bytes.
        var record = Payload(new string('é', 100), rows: 2, seed: 5) with { ModelVersion = "v-ß" };
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)1);
            writer.Write(record.ModelName);
            writer.Write(record.ModelVersion);
            writer.Write(record.RequestId);
            writer.Write(record.At.ToUnixTimeMilliseconds());
            writer.Write(record.FeatureCount);
            writer.Write(record.Features.Length);
            Array.ForEach(record.Features, writer.Write);
            writer.Write(record.Scores.Length);
            Array.ForEach(record.Scores, writer.Write);
        }

        Assert.Equal(stream.ToArray(), PayloadLog.Encode(record));
        Assert.Equal(record.RequestId, PayloadLog.Decode(PayloadLog.Encode(record)).RequestId);
    }

    private static PayloadRecord Payload(string requestId, int rows, int seed)
    {
        var random = new Random(seed);
        var features = Enumerable.Range(0, rows * 12).Select(_ => (float)random.NextDouble()).ToArray();
        var scores = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        return new PayloadRecord("fraud", "2", requestId, Now, 12, features, scores);
    }
}
