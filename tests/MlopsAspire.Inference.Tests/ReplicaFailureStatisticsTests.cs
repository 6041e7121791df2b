using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Grains;
using MlopsAspire.Serving;
using Orleans.TestingHost;
using static MlopsAspire.Inference.Tests.Eventually;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// Two replicas with real pipelines, accumulators and publishers report one version's statistics to its monitoring
/// grain in an in-process cluster, on a shared clock the test advances one flush interval at a time.
/// </summary>
public sealed class ReplicaFailureStatisticsTests : IAsyncLifetime
{
    private const string ModelName = "pairs";
    private const string Version = "1";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _clock;
    private InProcessTestCluster _cluster = null!;

    public ReplicaFailureStatisticsTests()
    {
        // Near the real time (the grain keeps windows around its own clock), half way into a flush interval.
        var now = DateTimeOffset.UtcNow;
        _clock = new FakeTimeProvider(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % FlushInterval.Ticks), TimeSpan.Zero) + (FlushInterval / 2));
    }

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(TimeProvider.System);
            silo.AddMemoryGrainStorage(GrainStorageNames.Models);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_replica_killed_mid_interval_loses_at_most_that_interval_and_a_retried_snapshot_is_counted_once()
    {
        const int RequestsOfAPerInterval = 8;
        const int RequestsOfBPerInterval = 5;
        await using var replicaA = new Replica(_cluster.Client, new TimerCountingClock(_clock));
        await using var replicaB = new Replica(_cluster.Client, new TimerCountingClock(_clock));
        await replicaA.Publisher.StartAsync(CancellationToken.None);
        await replicaB.Publisher.StartAsync(CancellationToken.None);

        // Interval 1: both deliver.
        await replicaA.ServeAsync(RequestsOfAPerInterval);
        await replicaB.ServeAsync(RequestsOfBPerInterval);
        await AdvanceOneIntervalAsync((replicaA, 1), (replicaB, 1));

        // Interval 2: A's snapshot reaches the grain but the reply is lost, so A keeps it to resend.
        await replicaA.ServeAsync(RequestsOfAPerInterval);
        await replicaB.ServeAsync(RequestsOfBPerInterval);
        replicaA.Sink.LoseNextReply();
        await AdvanceOneIntervalAsync((replicaA, 1), (replicaB, 1));

        // Interval 3: A resends the kept snapshot (a duplicate) before its new one.
        await replicaA.ServeAsync(RequestsOfAPerInterval);
        await replicaB.ServeAsync(RequestsOfBPerInterval);
        await AdvanceOneIntervalAsync((replicaA, 2), (replicaB, 1));

        // Interval 4: B serves, then its process dies before the interval ends: nothing it sends arrives any more.
        await replicaA.ServeAsync(RequestsOfAPerInterval);
        await replicaB.ServeAsync(RequestsOfBPerInterval);
        replicaB.Sink.Kill();
        await replicaB.Publisher.StopAsync(CancellationToken.None);
        await AdvanceOneIntervalAsync((replicaA, 1));

        // Interval 5: A keeps serving and stops gracefully, flushing what it has.
        await replicaA.ServeAsync(RequestsOfAPerInterval);
        await replicaA.Publisher.StopAsync(CancellationToken.None);

        var summary = await _cluster.Client.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(ModelName, Version)).GetSummary(TimeSpan.FromHours(1));
        var flushedByA = replicaA.Sink.AcceptedRequests;
        var flushedByB = replicaB.Sink.AcceptedRequests;

        // Nothing counted twice, nothing of the surviving replica lost.
        Assert.Equal(5 * RequestsOfAPerInterval, replicaA.Served);
        Assert.Equal(replicaA.Served, flushedByA);
        Assert.Equal(replicaA.Served + flushedByB, summary.RequestCount);

        // The killed replica lost its unflushed interval and nothing before it.
        Assert.Equal(4 * RequestsOfBPerInterval, replicaB.Served);
        Assert.InRange(replicaB.Served - flushedByB, 0, RequestsOfBPerInterval);
        Assert.Equal(3 * RequestsOfBPerInterval, flushedByB);

        // The retried snapshot was refused: same sender and sequence as the one whose reply was lost.
        var refused = Assert.Single(replicaA.Sink.Deliveries, delivery => !delivery.Accepted);
        Assert.Equal(replicaA.Sink.LostReply, (refused.SenderId, refused.Sequence));
        Assert.DoesNotContain(replicaB.Sink.Deliveries, delivery => !delivery.Accepted);
    }

    /// <summary>
    /// Moves the shared clock over the next flush boundary once each replica's publisher waits for it, and waits until
    /// each has made its delivery calls. A publisher reads how long it has until its next flush and then sets a timer
    /// for that long: a clock moved between the two would be missed, the timer running from after the move.
    /// </summary>
    private async Task AdvanceOneIntervalAsync(params (Replica Replica, int Calls)[] expected)
    {
        await Until(() => expected.All(item => item.Replica.Clock.TimersCreated > item.Replica.Flushes), "every publisher waiting for its next flush");
        var targets = expected.Select(item => (item.Replica, Target: item.Replica.Sink.Calls + item.Calls)).ToList();
        _clock.Advance(FlushInterval);
        await Until(() => targets.All(item => item.Replica.Sink.Calls >= item.Target), "every replica's flush");
        foreach (var (replica, _) in expected)
        {
            replica.Flushes++;
        }
    }

    /// <summary>One inference replica's statistics path: pipeline, accumulators and publisher over a grain sink.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly ModelRepository _repository = new();
        private readonly PredictionPipeline _pipeline;

        public Replica(IClusterClient client, TimerCountingClock clock)
        {
            Clock = clock;
            _repository.Add(OnnxModel.Load(ModelName, Version, IdentityModels.Create(elementType: 1, "x", "y", [-1, 2]), new OnnxModelOptions { IntraOpThreads = 1 }));
            _repository.SetDefaultVersion(ModelName, Version);
            var monitoring = new ReplicaMonitoring(clock);
            var options = Options.Create(new MonitoringOptions { FlushInterval = FlushInterval });
            Sink = new FallibleSink(new GrainMonitoringSink(client));
            _pipeline = new PredictionPipeline(
                new InferenceEngine(_repository),
                new TrafficRoutes(),
                monitoring,
                options,
                NullLogger<PredictionPipeline>.Instance,
                Sink);
            Publisher = new StatisticsPublisher(monitoring, Sink, _repository, options, clock, NullLogger<StatisticsPublisher>.Instance);
        }

        public FallibleSink Sink { get; }

        public TimerCountingClock Clock { get; }

        /// <summary>Flushes the test has seen this replica's publisher make; it waits for the next one on a timer of its own.</summary>
        public int Flushes { get; set; }

        public StatisticsPublisher Publisher { get; }

        /// <summary>Requests answered (each counted in the replica's statistics).</summary>
        public int Served { get; private set; }

        public async Task ServeAsync(int requests)
        {
            for (var i = 0; i < requests; i++)
            {
                using var response = await _pipeline.InferAsync(Request(Served), CancellationToken.None);
                Served++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Publisher.Dispose();
            _repository.Dispose();
            return ValueTask.CompletedTask;
        }

        private static InferenceRequest Request(int seed) => new()
        {
            ModelName = ModelName,
            Inputs = [new InferenceInput("x", "FP32", [1, 2], TensorData.Raw(MemoryMarshal.AsBytes(new float[] { seed, -seed }.AsSpan()).ToArray()))],
        };
    }

    /// <summary>
    /// The real grain sink, with the failures a replica meets: a reply lost after the grain took the snapshot, and
    /// the replica's process dying (nothing it sends arrives).
    /// </summary>
    private sealed class FallibleSink(IMonitoringSink grains) : IMonitoringSink
    {
        private int _loseNextReply;
        private int _killed;
        private int _calls;

        public ConcurrentQueue<(string SenderId, long Sequence, long Requests, bool Accepted)> Deliveries { get; } = new();

        /// <summary>The snapshot the grain took whose reply never came back.</summary>
        public (string SenderId, long Sequence) LostReply { get; private set; }

        /// <summary>Report calls that reached the grain.</summary>
        public int Calls => Volatile.Read(ref _calls);

        public long AcceptedRequests => Deliveries.Where(delivery => delivery.Accepted).Sum(delivery => delivery.Requests);

        public void LoseNextReply() => Volatile.Write(ref _loseNextReply, 1);

        public void Kill() => Volatile.Write(ref _killed, 1);

        public async Task<bool> ReportAsync(string modelName, string version, MonitoringSnapshot snapshot, CancellationToken cancellationToken)
        {
            ThrowIfKilled();
            var accepted = await grains.ReportAsync(modelName, version, snapshot, cancellationToken);
            Deliveries.Enqueue((snapshot.ReplicaId, snapshot.Sequence, snapshot.RequestCount, accepted));
            if (Interlocked.Exchange(ref _loseNextReply, 0) == 1)
            {
                LostReply = (snapshot.ReplicaId, snapshot.Sequence);
                Interlocked.Increment(ref _calls);
                throw new TimeoutException("the grain's reply was lost");
            }

            Interlocked.Increment(ref _calls);
            return accepted;
        }

        public Task<ReferenceProfileData?> GetReferenceProfileAsync(string modelName, string version, CancellationToken cancellationToken)
        {
            ThrowIfKilled();
            return grains.GetReferenceProfileAsync(modelName, version, cancellationToken);
        }

        private void ThrowIfKilled()
        {
            if (Volatile.Read(ref _killed) == 1)
            {
                throw new IOException("the replica's process is gone");
            }
        }
    }
}
