using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Threading;
using MlopsAspire.Training;
using static MlopsAspire.Inference.Tests.Eventually;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;

namespace MlopsAspire.Inference.Tests;

/// <summary>Shadow copies of production requests, scored on the replica's low-priority shadow threads.</summary>
public sealed class ShadowScoringTests : IAsyncDisposable
{
    private readonly ModelRepository _repository = new();
    private readonly BatchingInferenceExecutor _executor = new();
    private readonly ReplicaMonitoring _monitoring = new(TimeProvider.System);
    private readonly TrafficRoutes _traffic = new();

    private static readonly Lazy<ModelConfiguration> FraudConfiguration = new(() => ModelConfigurationParser.Parse(DemoModels.FraudConfigJson));

    public ShadowScoringTests()
    {
        var fraud = FraudServerFixture.SharedFraud.OnnxModel;
        // Version 2 is the same model: every shadow answer must agree with production's exactly.
        foreach (var version in new[] { "1", "2" })
        {
            _repository.Add(OnnxModel.Load("fraud", version, fraud, new OnnxModelOptions { IntraOpThreads = 1 }, configuration: FraudConfiguration.Value));
        }

        _repository.SetDefaultVersion("fraud", "1");
        _traffic.Apply(new RoutingTable(1, [new ModelRoute("fraud", "1", [], Shadows: [new ShadowRoute("2", 1.0)])]));
    }

    [Fact]
    public async Task Every_sampled_copy_is_scored_and_agrees_row_for_row_with_an_identical_shadow()
    {
        // The default options on the shadow's own clock: no copy can outlive the shadow timeout on a busy machine.
        var time = new FakeTimeProvider();
        var options = new MonitoringOptions();
        using var pipeline = Pipeline(options, time);
        const int Requests = 40;
        for (var i = 0; i < Requests; i++)
        {
            using var response = await pipeline.InferAsync(Request(rows: 1 + (i % 3), seed: i), CancellationToken.None);
            Assert.Equal("1", response.ModelVersion);
        }

        // Every copy is queued: the window of the last batch ends now.
        time.Advance(options.ShadowBatchWindow);

        await AssertEveryRowComparedExactly(Requests, Enumerable.Range(0, Requests).Sum(i => 1 + (i % 3)));
        Assert.Equal(LoweredPriority.None, pipeline.ShadowThreadPriority);
    }

    [Fact]
    public async Task Copies_of_concurrent_requests_batched_together_are_split_back_to_their_own_requests()
    {
        // The shadow's clock stands still during the burst, so its gathering window never ends early: copies gather
        // until a batch is full and most run concatenated, however fast or slow the machine. A row landing in the
        // wrong request's comparison would show as a score difference, since every request has different rows.
        var time = new FakeTimeProvider();
        var options = new MonitoringOptions { ShadowLowPriority = true, MaxShadowInFlight = 1000, ShadowTimeout = TimeSpan.FromMinutes(1) };
        using var pipeline = Pipeline(options, time);
        const int Requests = 200;
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => Task.Run(async () =>
        {
            using var response = await pipeline.InferAsync(Request(rows: 1 + (i % 4), seed: 1000 + i), CancellationToken.None);
        })));

        // Every copy is queued: the window of the last, partial batch ends now.
        time.Advance(options.ShadowBatchWindow);

        await AssertEveryRowComparedExactly(Requests, Enumerable.Range(0, Requests).Sum(i => 1 + (i % 4)));
        Assert.True(_repository.TryResolve("fraud", "2", out var shadow));
        var executions = shadow.Statistics.Snapshot().ExecutionCount;
        Assert.True(executions < Requests, $"{executions} shadow executions for {Requests} copies: nothing was batched");
        if (OperatingSystem.IsLinux())
        {
            Assert.True(pipeline.ShadowThreadPriority is LoweredPriority.IdleScheduling or LoweredPriority.Nice19, $"granted {pipeline.ShadowThreadPriority}");
        }
    }

    [Fact]
    public async Task Copies_of_sequential_requests_gather_into_one_batch_whose_run_alone_is_the_shadows_latency()
    {
        // The shadow's clock moves only when the test moves it: the window ends after the last copy is queued,
        // however long the requests took on a busy machine.
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(600);
        using var pipeline = Pipeline(new MonitoringOptions { ShadowBatchWindow = window, ShadowTimeout = TimeSpan.FromMinutes(1) }, time);
        const int Requests = 12;
        // One at a time: without the window each copy would find the shadow thread idle and run alone.
        for (var i = 0; i < Requests; i++)
        {
            using var response = await pipeline.InferAsync(Request(rows: 1, seed: 2000 + i), CancellationToken.None);
        }

        time.Advance(window);

        var shadowStatistics = await AssertEveryRowComparedExactly(Requests, Requests);
        Assert.True(_repository.TryResolve("fraud", "2", out var shadow));
        Assert.Equal(1, shadow.Statistics.Snapshot().ExecutionCount);
        // Every copy waited for the window; that is queue time, not the version's latency, which is its batch's run
        // (no time passes on the shadow's clock while it runs).
        Assert.Equal(window.TotalMicroseconds, shadowStatistics.QueueLatency.MaxRecordedMicroseconds, tolerance: window.TotalMicroseconds / 10);
        Assert.True(shadowStatistics.TotalLatency.MaxRecordedMicroseconds < window.TotalMicroseconds / 10, $"total max {shadowStatistics.TotalLatency.MaxRecordedMicroseconds} µs");
    }

    [Fact]
    public async Task Gathering_stops_early_once_half_the_lane_bound_waits()
    {
        // A window far longer than the test may take: only the bound can end the gathering. Real time on purpose: the
        // gathering looks at the bound each time its clock wakes it, and neither window nor timeout is reached.
        using var pipeline = Pipeline(new MonitoringOptions { ShadowBatchWindow = TimeSpan.FromMinutes(5), ShadowTimeout = TimeSpan.FromMinutes(10), MaxShadowInFlight = 8 });
        for (var i = 0; i < 4; i++)
        {
            using var response = await pipeline.InferAsync(Request(rows: 1, seed: 3000 + i), CancellationToken.None);
        }

        await AssertEveryRowComparedExactly(4, 4);
    }

    private async Task<PredictionStatistics> AssertEveryRowComparedExactly(int requests, int expectedRows)
    {
        var comparison = new ShadowComparison();
        var production = _monitoring.For("fraud", "1").Accumulator;
        await Until(() =>
        {
            if (production.Drain("replica", DateTimeOffset.UtcNow).Statistics.Shadows.TryGetValue("2", out var drained))
            {
                comparison.Merge(drained);
            }

            return comparison.Compared >= expectedRows || comparison.Dropped > 0;
        });

        Assert.Equal((expectedRows, 0L), (comparison.Compared, comparison.Dropped));
        Assert.Equal(expectedRows, comparison.LabelAgreements);
        Assert.Equal(0, comparison.MaxAbsoluteDifference);
        Assert.Equal(0, comparison.Dropped);
        var shadowStatistics = _monitoring.For("fraud", "2").Accumulator.Drain("replica", DateTimeOffset.UtcNow).Statistics;
        Assert.Equal(requests, shadowStatistics.RequestCount);
        return shadowStatistics;
    }

    [Fact]
    public async Task A_copy_that_waited_past_the_shadow_timeout_is_dropped_and_counted_without_touching_production()
    {
        // Every copy waits at least a tick for the shadow thread, so each one is stale by the time it starts; real time
        // on purpose: a slower machine only makes the copies staler.
        using var pipeline = Pipeline(new MonitoringOptions { ShadowTimeout = TimeSpan.FromTicks(1), ShadowBatchWindow = TimeSpan.Zero });
        for (var i = 0; i < 10; i++)
        {
            using var response = await pipeline.InferAsync(Request(rows: 1, seed: i), CancellationToken.None);
            Assert.Equal("1", response.ModelVersion);
        }

        long dropped = 0;
        var production = _monitoring.For("fraud", "1").Accumulator;
        await Until(() =>
        {
            var statistics = production.Drain("replica", DateTimeOffset.UtcNow).Statistics;
            if (statistics.Shadows.TryGetValue("2", out var comparison))
            {
                Assert.Equal(0, comparison.Compared);
                dropped += comparison.Dropped;
            }

            return dropped >= 10;
        });
        Assert.Equal(10, dropped);
    }

    [Fact]
    public void Shadow_thread_settings_out_of_range_are_refused_by_name()
    {
        var failure = Assert.Throws<ArgumentOutOfRangeException>(() => Pipeline(new MonitoringOptions { ShadowThreads = 0 }));
        Assert.Contains("ShadowThreads", failure.Message, StringComparison.Ordinal);
        var window = Assert.Throws<ArgumentOutOfRangeException>(() => Pipeline(new MonitoringOptions { ShadowBatchWindow = TimeSpan.FromSeconds(3), ShadowTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Contains("ShadowBatchWindow", window.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        _repository.Dispose();
    }

    private PredictionPipeline Pipeline(MonitoringOptions options, TimeProvider? shadowTime = null) => new(
        new InferenceEngine(_repository, _executor),
        _traffic,
        _monitoring,
        Options.Create(options),
        NullLogger<PredictionPipeline>.Instance,
        new DiscardingMonitoringSink(),
        timeProvider: shadowTime);

    private static InferenceRequest Request(int rows, int seed) => new()
    {
        ModelName = "fraud",
        Id = $"request-{seed}",
        Inputs =
        [
            new InferenceInput(
                FraudRequests.Input,
                "FP32",
                [rows, FraudData.FraudFeatures.Count],
                TensorData.Raw(MemoryMarshal.AsBytes(FraudRequests.Rows(rows, seed).SelectMany(row => row.Features).ToArray().AsSpan()).ToArray())),
        ],
    };
}
