using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// A version a replica stopped serving and serves again (rolled back to, say) gets fresh statistics whose snapshots
/// number from 1 again: they must not look like retries of the snapshots it sent the first time, or its monitoring
/// grain drops them as duplicates until the new numbers pass the old ones.
/// </summary>
public sealed class ReloadedVersionStatisticsTests
{
    [Fact]
    public async Task A_version_served_again_after_it_was_forgotten_has_every_snapshot_counted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var monitoring = new ReplicaMonitoring(clock);
        // The repository holds nothing, so each flush forgets the version once its snapshot is delivered: the next
        // request finds it served again, as after an unload and a reload.
        using var repository = new ModelRepository();
        var grain = new DeduplicatingSink();
        using var publisher = new StatisticsPublisher(
            monitoring, grain, repository, Options.Create(new MonitoringOptions()), clock, NullLogger<StatisticsPublisher>.Instance);

        for (var interval = 0; interval < 3; interval++)
        {
            monitoring.For("fraud", "1").Accumulator.RecordFailure("internal", TimeSpan.FromMilliseconds(1));
            clock.Advance(TimeSpan.FromSeconds(1));
            await publisher.FlushAsync(clock.GetUtcNow(), CancellationToken.None);
            Assert.False(monitoring.TryGet("fraud", "1", out _));
        }

        Assert.Equal(3, grain.Delivered);
        Assert.Equal(3, grain.Counted);
    }

    /// <summary>Takes snapshots as a monitoring grain does: each (sender, sequence) counted once.</summary>
    private sealed class DeduplicatingSink : IMonitoringSink
    {
        private readonly SnapshotDeduplicator _deduplicator = new();

        public int Delivered { get; private set; }

        public long Counted { get; private set; }

        public Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken)
        {
            Delivered++;
            if (_deduplicator.TryAccept(snapshot.ReplicaId, snapshot.Sequence, snapshot.IntervalEnd))
            {
                Counted += snapshot.ErrorsByStatus.Values.Sum();
            }

            return Task.FromResult(true);
        }

        public Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken) =>
            Task.FromResult<ReferenceProfileData?>(null);
    }
}
