using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Grains.Monitoring;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;
using static MlopsAspire.Grains.Tests.MonitoringTraffic;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// A monitor writes merged snapshots on its own, on a clock the test moves: when the write-behind interval is up,
/// whether or not another snapshot or tick comes.
/// </summary>
public sealed class MonitorWriteBehindTests(FakeClockClusterFixture fixture) : IClassFixture<FakeClockClusterFixture>
{
    [Fact]
    public async Task A_snapshot_is_written_when_the_interval_is_up_though_no_other_snapshot_or_tick_comes()
    {
        var key = ModelVersionKey.Format(UniqueModelName(), "1");
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(key);
        // Written at once; one-minute windows put the monitor's next tick 10 s away, past the write-behind interval.
        await monitor.SetPolicy(MonitoringPolicy.Default with { Window = TimeSpan.FromMinutes(1) });
        var rows = Rows(new Random(4), 50, shift: 0);

        // The last snapshot before the replicas go quiet: too soon after that write to be written with it.
        Assert.True(await monitor.Report(Snapshot(null, "replica-going-quiet", 1, fixture.Time.GetUtcNow(), rows, rows.Count)));
        Assert.DoesNotContain("replica-going-quiet", await StoredGrainState.ReadAsync(fixture.StoreEndpoint, key, "monitor"));

        fixture.Time.Advance(ModelMonitorGrain.PersistInterval - TimeSpan.FromMilliseconds(1));
        // Nothing is due yet: a call the grain answers after any timer callback then queued.
        await monitor.GetPolicy();
        Assert.DoesNotContain("replica-going-quiet", await StoredGrainState.ReadAsync(fixture.StoreEndpoint, key, "monitor"));

        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        await StoredGrainState.WaitForAsync(fixture.StoreEndpoint, key, "monitor", stored => stored.Contains("replica-going-quiet"), "the quiet replica's snapshot");
    }
}
