using System.Diagnostics.Metrics;
using System.Threading.Channels;
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
/// drops the oldest beyond it: both show in its metrics, so an operator sees what an outage cost monitoring. A
/// stopping replica tries once more to deliver, for a bounded time.
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

    [Fact]
    public async Task A_stopping_replica_delivers_its_last_statistics()
    {
        var sink = new SwitchableSink { Up = true };
        using var replica = await StoppingReplica.StartAsync(sink);
        replica.Serve();
        await replica.FlushDueUntil(() => sink.Delivered.Count == 1, "the first flush delivered");

        // Served since the last flush; the next is not due.
        replica.Serve();
        await replica.Publisher.StopAsync(CancellationToken.None);

        Assert.Equal(2, sink.Delivered.Count);
    }

    [Fact]
    public async Task A_stopping_replica_gives_up_on_a_control_plane_that_does_not_answer_when_its_final_flush_time_is_over()
    {
        var sink = new SilentSink();
        using var replica = await StoppingReplica.StartAsync(sink);
        replica.Serve();
        await replica.FlushDueUntil(() => sink.Attempts.TryRead(out _), "the first flush attempted");

        // The stop ends the unanswered flush and tries once more, until its final-flush time is over.
        var stopping = replica.Publisher.StopAsync(CancellationToken.None);
        await sink.Attempts.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(stopping.IsCompleted);
        replica.Clock.Advance(new MonitoringOptions().FinalFlushTimeout);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
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

    /// <summary>A replica's statistics publisher on a clock of the test's, with default settings.</summary>
    private sealed class StoppingReplica : IDisposable
    {
        private readonly ReplicaMonitoring _monitoring;
        private readonly ModelRepository _repository = new();

        private StoppingReplica(IMonitoringSink sink)
        {
            _monitoring = new ReplicaMonitoring(Clock);
            Publisher = new StatisticsPublisher(
                _monitoring, sink, _repository, Options.Create(new MonitoringOptions()), Clock, NullLogger<StatisticsPublisher>.Instance);
        }

        public static async Task<StoppingReplica> StartAsync(IMonitoringSink sink)
        {
            var replica = new StoppingReplica(sink);
            await replica.Publisher.StartAsync(CancellationToken.None);
            return replica;
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public StatisticsPublisher Publisher { get; }

        /// <summary>
        /// Moves the clock on a flush interval at a time (the publisher starts waiting for its first on a thread of
        /// its own) until <paramref name="condition"/> holds.
        /// </summary>
        public Task FlushDueUntil(Func<bool> condition, string what) => Eventually.Until(
            () =>
            {
                Clock.Advance(new MonitoringOptions().FlushInterval);
                return condition();
            },
            what);

        public void Serve() => _monitoring.For(ModelName, Version).Accumulator.RecordFailure("internal", TimeSpan.FromMilliseconds(1));

        public void Dispose()
        {
            Publisher.Dispose();
            _repository.Dispose();
        }
    }

    /// <summary>A monitoring sink whose deliveries are never answered, as a control plane that is going away.</summary>
    private sealed class SilentSink : IMonitoringSink
    {
        private readonly Channel<MonitoringSnapshot> _attempts = Channel.CreateUnbounded<MonitoringSnapshot>();

        /// <summary>Each delivery attempted, as it starts.</summary>
        public ChannelReader<MonitoringSnapshot> Attempts => _attempts.Reader;

        public Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken)
        {
            _attempts.Writer.TryWrite(snapshot);
            return new TaskCompletionSource<bool>().Task.WaitAsync(cancellationToken);
        }

        public Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken) =>
            Task.FromResult<ReferenceProfileData?>(null);
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
