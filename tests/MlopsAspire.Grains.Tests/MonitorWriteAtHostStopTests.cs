using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;
using static MlopsAspire.Grains.Tests.MonitoringTraffic;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// A monitor writes what it holds as soon as its silo's host starts stopping, not after the silo has left the cluster
/// and begun deactivating grains: an orchestrator kills a process that takes too long to stop. Own cluster: the test
/// signals its hosts to stop. The clock stands still, so no write-behind timer writes instead.
/// </summary>
public sealed class MonitorWriteAtHostStopTests(FakeClockClusterFixture fixture) : IClassFixture<FakeClockClusterFixture>
{
    [Fact]
    public async Task Snapshots_waiting_for_their_write_are_written_when_the_host_starts_stopping()
    {
        var key = ModelVersionKey.Format(UniqueModelName(), "1");
        var monitor = fixture.Grains.GetGrain<IModelMonitorGrain>(key);
        await monitor.SetPolicy(MonitoringPolicy.Default);
        var rows = Rows(new Random(5), 50, shift: 0);
        Assert.True(await monitor.Report(Snapshot(null, "replica-before-the-stop", 1, fixture.Time.GetUtcNow(), rows, rows.Count)));
        Assert.DoesNotContain("replica-before-the-stop", await StoredGrainState.ReadAsync(fixture.StoreEndpoint, key, "monitor"));

        // What SIGTERM does first: the host signals that it is stopping. The test cluster's hosts were started, not
        // run, so nothing goes on to stop the silos: the write can only be the monitor's own.
        foreach (var silo in fixture.Cluster.Silos)
        {
            silo.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }

        await StoredGrainState.WaitForAsync(fixture.StoreEndpoint, key, "monitor", stored => stored.Contains("replica-before-the-stop"), "the snapshot held at the stop");
        Assert.Equal(rows.Count, (await monitor.GetSummary(TimeSpan.FromHours(1))).RowCount);
    }
}
