using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// While the control plane is unreachable a replica holds its statistics to resend, up to a bound per version, and
/// drops the oldest beyond it: both show in its metrics, so an operator sees what an outage cost monitoring.
/// </summary>
public sealed class StatisticsOutageTests
{
    private const string ModelName = "fraud";
    private const string Version = "1";

    [Fact]
    public async Task Statistics_held_during_an_outage_and_those_dropped_beyond_the_bound_are_counted_and_the_rest_delivered_after()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var monitoring = new ReplicaMonitoring(clock);
        using var repository = new ModelRepository();
        var sink = new SwitchableSink();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        _ = new InferenceMetrics(meters, repository, monitoring: monitoring);
        using var publisher = new StatisticsPublisher(
            monitoring, sink, repository, Options.Create(new MonitoringOptions { MaxPendingSnapshots = 3 }), clock, NullLogger<StatisticsPublisher>.Instance);

        // Five flushes with the control plane down: three snapshots held, the two oldest given up.
        for (var flush = 0; flush < 5; flush++)
        {
            await ServeAndFlushAsync(monitoring, publisher, clock);
        }

        Assert.Equal((3, 2), Observe(meters));
        Assert.Empty(sink.Delivered);

        // Back up: the new snapshot joins the held ones within the bound (the oldest gives way), then all go, oldest
        // first; nothing is held any more.
        sink.Up = true;
        await ServeAndFlushAsync(monitoring, publisher, clock);
        Assert.Equal((0, 3), Observe(meters));
        Assert.Equal(3, sink.Delivered.Count);
        Assert.Equal(sink.Delivered.Order(), sink.Delivered);
    }

    private static async Task ServeAndFlushAsync(ReplicaMonitoring monitoring, StatisticsPublisher publisher, FakeTimeProvider clock)
    {
        monitoring.For(ModelName, Version).Accumulator.RecordFailure("internal", TimeSpan.FromMilliseconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        await publisher.FlushAsync(clock.GetUtcNow(), CancellationToken.None);
    }

    private static (long Pending, long Dropped) Observe(IMeterFactory meters)
    {
        var observed = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == InferenceMetrics.MeterName && instrument.Name.StartsWith("mlops.inference.monitoring.snapshots.", StringComparison.Ordinal) && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => observed[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return (observed["mlops.inference.monitoring.snapshots.pending"], observed["mlops.inference.monitoring.snapshots.dropped"]);
    }

    /// <summary>A monitoring sink that is unreachable until told otherwise; it records the sequence of each snapshot it takes.</summary>
    private sealed class SwitchableSink : IMonitoringSink
    {
        public bool Up { get; set; }

        public List<long> Delivered { get; } = [];

        public Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken)
        {
            if (!Up)
            {
                throw new IOException("no silo answers");
            }

            Delivered.Add(snapshot.Sequence);
            return Task.FromResult(true);
        }

        public Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken) =>
            Task.FromResult<ReferenceProfileData?>(null);
    }
}
