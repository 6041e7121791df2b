using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Artifacts.Payloads;

namespace MlopsAspire.Store.Tests;

/// <summary>
/// The payload log as a careless client or an attacker uses it: payloads far larger than a row, more of them than the
/// store should hold, and one request id sent by two senders.
/// </summary>
public sealed class PayloadLogLimitsTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task A_payload_over_the_size_limit_is_not_logged_and_is_counted_before_it_is_queued()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix(), MaxPayloadBytes = 1024 };
        var log = new PayloadLog(fixture.Redis, options);
        var writer = new PayloadLogWriter(log, options);

        // 100 rows of 12 features and a score: 5,200 bytes, so not even a slot in the queue.
        Assert.False(writer.Admits(100 * 13, "big"));
        Assert.False(writer.TryAppend(Payload("big", rows: 100, seed: 1)));
        Assert.True(writer.TryAppend(Payload("small", rows: 2, seed: 2)));
        await writer.DisposeAsync();
        Assert.Equal((1L, 2L, 0L), (writer.Written, writer.TooLarge, writer.Dropped));

        // The log itself refuses it too, whoever calls it.
        Assert.Equal(new PayloadWriteOutcome(0, 0, 0, 1), await log.WriteAsync([Payload("big-direct", rows: 100, seed: 3)]));
        var join = await log.JoinAsync("fraud", [new("small", [0f, 1f]), new("big", new float[100]), new("big-direct", new float[100])], Now);
        Assert.Equal(["small"], join.Joined.Select(joined => joined.Payload.RequestId));
        Assert.Equal(["big", "big-direct"], join.UnknownRequestIds);
    }

    [Fact]
    public async Task A_request_of_100000_rows_is_not_logged_under_the_default_limit()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix() };
        var log = new PayloadLog(fixture.Redis, options);

        // 5.2 MB of features and scores, against 64 KiB.
        Assert.Equal(new PayloadWriteOutcome(0, 0, 0, 1), await log.AppendAsync(Payload("huge", rows: 100_000, seed: 1)));

        Assert.False(await fixture.Redis.GetDatabase().KeyExistsAsync($"{options.KeyPrefix}pending:fraud:huge"));
    }

    [Fact]
    public async Task A_model_over_its_byte_budget_is_refused_new_payloads_until_joins_and_expiry_give_bytes_back()
    {
        var prefix = StoreFixture.NewKeyPrefix();
        var entry = EntryBytes(prefix, Payload("p00", rows: 1, seed: 0));
        var time = new FakeTimeProvider(Now);
        var options = new PayloadLogOptions { KeyPrefix = prefix, MaxBytesPerModel = 3 * entry, JoinWindow = TimeSpan.FromMinutes(10) };
        var log = new PayloadLog(fixture.Redis, options, time);

        var outcome = await log.WriteAsync([.. Enumerable.Range(0, 5).Select(i => Payload($"p{i:00}", rows: 1, seed: i))]);
        Assert.Equal(new PayloadWriteOutcome(3, 0, 2, 0), outcome);
        Assert.Equal(3 * entry, await UsedBytesAsync(prefix));
        // Another model has a budget of its own.
        Assert.Equal(1, (await log.WriteAsync([Payload("q0", rows: 1, seed: 0) with { ModelName = "other" }])).Logged);

        // A join gives its payloads' bytes back, so new payloads fit again.
        var join = await log.JoinAsync("fraud", [new("p00", [1f]), new("p01", [0f]), new("p03", [1f])], Now);
        Assert.Equal(["p00", "p01"], join.Joined.Select(joined => joined.Payload.RequestId));
        Assert.Equal(["p03"], join.UnknownRequestIds);
        Assert.Equal(entry, await UsedBytesAsync(prefix));
        Assert.Equal(new PayloadWriteOutcome(2, 0, 1, 0), await log.WriteAsync([.. Enumerable.Range(5, 3).Select(i => Payload($"p{i:00}", rows: 1, seed: i))]));

        // Once the join window has passed, what nobody joined is over too (expired or evicted by the store), and its
        // bytes come back without anyone touching it.
        time.Advance(options.JoinWindow + TimeSpan.FromMinutes(1));
        Assert.Equal(new PayloadWriteOutcome(3, 0, 0, 0), await log.WriteAsync([.. Enumerable.Range(8, 3).Select(i => Payload($"p{i:00}", rows: 1, seed: i))]));
        Assert.Equal(3 * entry, await UsedBytesAsync(prefix));

        // Joining a payload whose bytes already came back gives nothing back twice.
        Assert.Single((await log.JoinAsync("fraud", [new("p02", [1f])], Now)).Joined);
        Assert.Equal(3 * entry, await UsedBytesAsync(prefix));
        await log.JoinAsync("fraud", [new("p08", [1f]), new("p09", [1f]), new("p10", [1f])], Now);
        Assert.Equal(0, await UsedBytesAsync(prefix));
    }

    [Fact]
    public async Task Replicas_writing_at_once_never_take_a_model_past_its_budget()
    {
        var prefix = StoreFixture.NewKeyPrefix();
        var entry = EntryBytes(prefix, Payload("w0-00", rows: 1, seed: 0));
        var options = new PayloadLogOptions { KeyPrefix = prefix, MaxBytesPerModel = 10 * entry };
        var time = new FakeTimeProvider(Now);
        var replicas = Enumerable.Range(0, 4).Select(_ => new PayloadLog(fixture.Redis, options, time)).ToList();

        // Each of 4 replicas sends 5 batches of 4 at once: 80 payloads, room for 10.
        var outcomes = await Task.WhenAll(replicas.SelectMany((log, r) => Enumerable.Range(0, 5).Select(b =>
            log.WriteAsync([.. Enumerable.Range(0, 4).Select(i => Payload($"w{r}-{b}{i}", rows: 1, seed: i))]))));

        Assert.Equal(10, outcomes.Sum(outcome => outcome.Logged));
        Assert.Equal(70, outcomes.Sum(outcome => outcome.OverBudget));
        Assert.Equal(10 * entry, await UsedBytesAsync(prefix));
    }

    [Fact]
    public async Task A_repeated_request_id_never_replaces_the_logged_payload_and_its_feedback_is_rejected_as_ambiguous()
    {
        var options = new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix() };
        var log = new PayloadLog(fixture.Redis, options);
        var first = Payload("r1", rows: 1, seed: 1);
        await log.AppendAsync(first);
        // Someone else sends the same id with other features, directly and through a writer.
        await log.AppendAsync(Payload("r1", rows: 1, seed: 2));
        var writer = new PayloadLogWriter(log, options);
        Assert.True(writer.TryAppend(Payload("r1", rows: 1, seed: 3)));
        Assert.True(writer.TryAppend(Payload("r2", rows: 1, seed: 4)));
        await writer.DisposeAsync();
        Assert.Equal((1L, 1L), (writer.Written, writer.Duplicates));

        var stored = await fixture.Redis.GetDatabase().StringGetAsync($"{options.KeyPrefix}pending:fraud:r1");
        Assert.Equal(first.Features, PayloadLog.Decode((byte[])stored!).Features);

        var join = await log.JoinAsync("fraud", [new("r1", [1f]), new("r2", [0f])], Now);

        Assert.Equal(["r2"], join.Joined.Select(joined => joined.Payload.RequestId));
        Assert.Contains("'r1' was logged 3 times under the same id", Assert.Single(join.Rejected));
        // Retraining reads only what was joined: the ambiguous row is not among it.
        Assert.Equal(["r2"], (await log.ReadLabelledAsync("fraud", 10)).Select(labelled => labelled.Payload.RequestId));
        // The label was spent on it: sent again, it finds nothing.
        Assert.Equal(["r1"], (await log.JoinAsync("fraud", [new("r1", [1f])], Now)).UnknownRequestIds);
    }

    [Fact]
    public async Task Writes_and_joins_go_on_after_the_store_forgets_its_scripts_as_a_restart_does()
    {
        var log = new PayloadLog(fixture.Redis, new PayloadLogOptions { KeyPrefix = StoreFixture.NewKeyPrefix() });
        Assert.Equal(1, (await log.AppendAsync(Payload("s1", rows: 1, seed: 1))).Logged);

        await fixture.Redis.GetDatabase().ExecuteAsync("SCRIPT", "FLUSH");

        Assert.Equal(1, (await log.WriteAsync([Payload("s2", rows: 1, seed: 2)])).Logged);
        await fixture.Redis.GetDatabase().ExecuteAsync("SCRIPT", "FLUSH");

        Assert.Equal(["s1", "s2"], (await log.JoinAsync("fraud", [new("s1", [1f]), new("s2", [0f])], Now)).Joined.Select(joined => joined.Payload.RequestId));
    }

    /// <summary>What one payload costs the budget: its key and its stored value (the encoding and the release minute).</summary>
    private static long EntryBytes(string prefix, PayloadRecord record) =>
        $"{prefix}pending:{record.ModelName}:{record.RequestId}".Length + PayloadLog.Encode(record).Length + sizeof(long);

    private async Task<long> UsedBytesAsync(string prefix) =>
        (long)await fixture.Redis.GetDatabase().HashGetAsync($"{prefix}bytes:fraud", "used");

    private static PayloadRecord Payload(string requestId, int rows, int seed)
    {
        var random = new Random(seed);
        var features = Enumerable.Range(0, rows * 12).Select(_ => (float)random.NextDouble()).ToArray();
        var scores = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        return new PayloadRecord("fraud", "2", requestId, Now, 12, features, scores);
    }
}
