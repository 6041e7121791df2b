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
        Assert.Equal(["r1"], again.UnknownRequestIds);

        var labelled = await log.ReadLabelledAsync("fraud", 10);
        Assert.Equal(["r2", "r1"], labelled.Select(l => l.Payload.RequestId));
        Assert.Equal([0f, 1f], labelled[0].Labels);
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

    private static PayloadRecord Payload(string requestId, int rows, int seed)
    {
        var random = new Random(seed);
        var features = Enumerable.Range(0, rows * 12).Select(_ => (float)random.NextDouble()).ToArray();
        var scores = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        return new PayloadRecord("fraud", "2", requestId, Now, 12, features, scores);
    }
}
