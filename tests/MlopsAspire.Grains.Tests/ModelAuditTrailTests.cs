using MlopsAspire.Abstractions;
using StackExchange.Redis;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;

namespace MlopsAspire.Grains.Tests;

/// <summary>A model's audit trail: bounded entries, appended without rewriting the history, read back in full.</summary>
public sealed class ModelAuditTrailTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Audit_entries_are_truncated_and_their_control_characters_escaped()
    {
        var model = await ModelWithOneVersionAsync();

        await model.RecordEventAsync("1", "alert:feature_drift", "x0: spike\r\nforged line" + new string('d', 1024 * 1024), "monitoring");

        var recorded = (await model.GetAuditLogAsync(-1, 1)).Events.Single();
        Assert.StartsWith("x0: spike\\r\\nforged line", recorded.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(recorded.Reason, char.IsControl);
        Assert.InRange(recorded.Reason.Length, 1024, 1100);
    }

    [Fact]
    public async Task The_stored_model_state_does_not_grow_with_its_audit_trail()
    {
        var name = UniqueModelName();
        var model = await ModelWithOneVersionAsync(name);
        var detail = new string('d', 500);

        for (var i = 0; i < 300; i++)
        {
            await model.RecordEventAsync("1", "alert:feature_drift", $"{i}: {detail}", "monitoring");
        }

        // Kept whole, 300 such entries take more than 150 KB; a bounded tail of them, far less.
        var stored = await StoredModelStateBytesAsync(name);
        Assert.True(stored < 64 * 1024, $"the model's stored state holds {stored:N0} bytes after 300 audit events");
        Assert.Equal(302, (await model.GetAuditLogAsync(0, 1)).Total);
    }

    [Fact]
    public async Task The_whole_history_reads_back_in_slices_after_a_restart()
    {
        var name = UniqueModelName();
        var model = await ModelWithOneVersionAsync(name);
        for (var i = 0; i < 200; i++)
        {
            await model.RecordEventAsync("1", "note", $"event {i}", "tester");
        }

        await model.PromoteAsync("1", new ChangeContext("tester", "go live"));
        await fixture.RestartAsync();
        model = fixture.Grains.GetGrain<IModelGrain>(name);

        string[] expected = ["register", "validate", .. Enumerable.Repeat("note", 200), "promote"];
        var history = await model.ReadAuditTrailAsync();
        Assert.Equal(expected, history.Select(e => e.Action));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"event {i}"), history.Where(e => e.Action == "note").Select(e => e.Reason));

        // Any stretch, across page boundaries, from either end.
        var middle = await model.GetAuditLogAsync(60, 10);
        Assert.Equal((60L, 203L, 0L), (middle.Start, middle.Total, middle.Oldest));
        Assert.Equal(Enumerable.Range(58, 10).Select(i => $"event {i}"), middle.Events.Select(e => e.Reason));
        var newest = await model.GetAuditLogAsync(-3, 3);
        Assert.Equal(200, newest.Start);
        Assert.Equal(["event 198", "event 199", "go live"], newest.Events.Select(e => e.Reason));
        Assert.Empty((await model.GetAuditLogAsync(203, 10)).Events);
        Assert.Equal(203, (await model.GetAuditLogAsync(0, int.MaxValue)).Events.Count);

        // Writing goes on after the history was read back.
        await model.RecordEventAsync("1", "note", "after the restart", "tester");
        Assert.Equal("after the restart", (await model.GetAuditLogAsync(-1, 1)).Events.Single().Reason);
    }

    private async Task<IModelGrain> ModelWithOneVersionAsync(string? name = null)
    {
        var model = fixture.Grains.GetGrain<IModelGrain>(name ?? UniqueModelName());
        await model.RegisterVersionAsync(Request(Sha('a')));
        await model.RecordValidationAsync("1", Passed(), "tester");
        return model;
    }

    /// <summary>Bytes of the model grain's own stored state (not its versions' or anything kept elsewhere).</summary>
    private async Task<long> StoredModelStateBytesAsync(string name)
    {
        await using var store = await ConnectionMultiplexer.ConnectAsync(fixture.StoreEndpoint);
        var keys = store.GetServer(store.GetEndPoints()[0]).Keys(pattern: $"*/state/model/{name}/*").ToList();
        var key = Assert.Single(keys);
        return await store.GetDatabase().HashStringLengthAsync(key, "data");
    }
}
