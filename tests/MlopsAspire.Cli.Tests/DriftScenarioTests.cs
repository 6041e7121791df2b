using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using MlopsAspire.Cli.Scenarios;
using MlopsAspire.FraudData;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// <see cref="DriftScenario"/> against a stand-in platform on loopback gRPC: the traffic, labels, feedback and route
/// polling fit together, failures are counted, and cancelling ends the run with a result. The real platform's
/// healing is an end-to-end matter; this stand-in always answers "not fraud" and swaps production on cue. Runs move
/// on a stepped clock, so every time they report is the schedule's, however busy the machine.
/// </summary>
public sealed class DriftScenarioTests : IAsyncLifetime
{
    private const string ApiKey = StandInDriftPlatform.ApiKey;
    private readonly StandInDriftPlatform _platform = new();
    private GrpcChannel? _channel;

    private static DriftScenarioOptions ShortRun => new()
    {
        RequestsPerSecond = 100,
        RowsPerRequest = 4,
        Warmup = TimeSpan.FromMilliseconds(500),
        BucketWidth = TimeSpan.FromMilliseconds(500),
        SteadyDuration = TimeSpan.FromSeconds(2),
        TotalDuration = TimeSpan.FromSeconds(15),
        StopAfterRecovery = TimeSpan.FromSeconds(1),
        FeedbackDelay = TimeSpan.FromMilliseconds(300),
        FeedbackInterval = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromMilliseconds(200),
        Seed = 11,
        // The stand-in always answers "not fraud", so accuracy is one minus the fraud share of a few hundred rows: noisy.
        RecoveryTolerance = 0.05,
    };

    public async Task InitializeAsync()
    {
        await _platform.InitializeAsync();
        _channel = GrpcChannel.ForAddress(_platform.Address);
    }

    [Fact]
    public async Task Labelled_traffic_feedback_and_the_production_switch_add_up_to_a_recovery()
    {
        var observer = new RecordingObserver();
        // Production moves to version 2 about a second after drift starts (request 200 is the first drifted one).
        _platform.SwitchProductionAfterCalls = 300;

        var result = await RunAsync(ShortRun, observer, CancellationToken.None);

        Assert.False(result.Cancelled);
        Assert.True(result.Recovered, $"pre {result.PreDrift}, post {result.PostRecovery}");
        Assert.Equal(("1", "2", "2"), (result.InitialProductionVersion, result.NewProductionVersion, result.FinalProductionVersion));
        Assert.InRange(result.DriftStartedAt!.Value, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
        Assert.True(result.ProductionChangedAt > result.DriftStartedAt);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(12), $"stopping after recovery did not end the run early ({result.Elapsed})");
        Assert.Contains(result.Events, e => e.Kind == DriftEventKind.ProductionChanged && e.Detail == "production 1 → 2");
        Assert.Equal(result.Events, observer.Events);
        Assert.Equal(result.Buckets, observer.Buckets);

        // Every 25th call fails; the rest are answered, and every answered request gets its labels back.
        Assert.True(result.ErrorsByStatus.GetValueOrDefault("Unavailable") > 0, string.Join(", ", result.ErrorsByStatus));
        Assert.Equal(result.RequestsSent, result.RequestsSucceeded + result.ErrorsByStatus.Values.Sum());
        Assert.Equal(result.RequestsSucceeded, result.Feedback.ItemsSent);
        Assert.Equal(result.Feedback.ItemsSent, result.Feedback.Joined);
        Assert.Empty(result.Feedback.ErrorsByStatus);
        Assert.All(_platform.FeedbackBatches, batchId => Assert.StartsWith("drift-", batchId));
        Assert.Equal(_platform.FeedbackBatches.Count, _platform.FeedbackBatches.Distinct().Count());

        // Labels follow the original pattern for requests sent before drift and the drifted one after, for the same rows.
        var original = new FraudDataGenerator(new FraudDataOptions { Seed = 11 }).Generate((int)result.RequestsSent * 4).ToList();
        var drifted = new FraudDataGenerator(new FraudDataOptions { Seed = 11, ConceptDrift = 1.0 }).Generate((int)result.RequestsSent * 4).ToList();
        var firstDrifted = (long)Math.Ceiling(ShortRun.SteadyDuration.TotalSeconds * ShortRun.RequestsPerSecond);
        var differing = 0;
        foreach (var (id, labels) in _platform.Labels)
        {
            var index = long.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var source = index < firstDrifted ? original : drifted;
            var expected = source.Skip((int)index * 4).Take(4).Select(row => row.IsFraud ? 1f : 0f);
            Assert.Equal(expected, labels);
            Assert.Equal(original.Skip((int)index * 4).Take(4).Select(row => row.Features), _platform.Features[id]);
            differing += index >= firstDrifted && !original.Skip((int)index * 4).Take(4).Select(row => row.IsFraud ? 1f : 0f).SequenceEqual(labels) ? 1 : 0;
        }

        Assert.True(differing > 0, "drift changed no label");
    }

    [Fact]
    public async Task Cancelling_ends_the_run_with_what_it_measured()
    {
        using var cancel = new CancellationTokenSource();
        var observer = new RecordingObserver { AfterBucket = buckets => buckets.Count(b => b.Rows > 0) >= 3 ? cancel : null };

        var result = await RunAsync(ShortRun with { StopAfterRecovery = null, TotalDuration = TimeSpan.FromMinutes(5) }, observer, cancel.Token);

        Assert.True(result.Cancelled);
        Assert.False(result.Recovered);
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.True(result.RequestsSucceeded > 50, $"{result.RequestsSucceeded} of {result.RequestsSent} answered; errors: {string.Join(", ", result.ErrorsByStatus)}; buckets {result.Buckets.Count}, elapsed {result.Elapsed}");
        Assert.Equal(0.97, result.PreDriftAccuracy, 0.05);
    }

    [Fact]
    public async Task An_unknown_model_or_a_wrong_key_fails_the_start()
    {
        var unknown = new DriftScenario(_channel!, _channel!, ApiKey, ShortRun with { ModelName = "nope" });
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => unknown.RunAsync())).StatusCode);

        var wrongKey = new DriftScenario(_channel!, _channel!, "wrong", ShortRun);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => wrongKey.RunAsync())).StatusCode);
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem_named()
    {
        var error = Assert.Throws<ArgumentException>(() => new DriftScenario(_channel!, _channel!, ApiKey, ShortRun with { RequestsPerSecond = 0, RowsPerRequest = 0 }));
        Assert.Contains("RequestsPerSecond must be above 0", error.Message);
        Assert.Contains("RowsPerRequest must be between 1 and 10000", error.Message);
    }

    [Fact]
    public void Probabilities_are_read_from_raw_or_typed_contents_and_a_wrong_row_count_is_refused()
    {
        var typed = new ModelInferResponse { Outputs = { Output("Score.output"), Output("Probability.output") } };
        typed.Outputs[1].Contents = new InferTensorContents { Fp32Contents = { 0.25f, 0.75f } };
        var fromTyped = DriftScenario.ReadProbabilities(typed, "Probability.output", 2);
        Assert.NotNull(fromTyped);
        Assert.Equal([0.25f, 0.75f], fromTyped);
        Assert.Null(DriftScenario.ReadProbabilities(typed, "Probability.output", 3));

        var raw = new ModelInferResponse { Outputs = { Output("p") } };
        raw.RawOutputContents.Add(Google.Protobuf.ByteString.CopyFrom([.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(0.125f)]));
        var fromRaw = DriftScenario.ReadProbabilities(raw, "Probability.output", 2);
        Assert.NotNull(fromRaw);
        Assert.Equal([0.5f, 0.125f], fromRaw);

        Assert.Null(DriftScenario.ReadProbabilities(new ModelInferResponse { Outputs = { Output("a"), Output("b") } }, "Probability.output", 1));

        static ModelInferResponse.Types.InferOutputTensor Output(string name) => new() { Name = name, Datatype = "FP32" };
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        await _platform.DisposeAsync();
    }

    private Task<DriftScenarioResult> RunAsync(DriftScenarioOptions options, RecordingObserver observer, CancellationToken cancellationToken) =>
        SteppedDriftRun.RunAsync(_channel!.CreateCallInvoker(), ServerConnections.WithBearerKey(_channel!, ApiKey), options, observer, cancellationToken);

    private sealed class RecordingObserver : IDriftScenarioObserver
    {
        public List<DriftBucket> Buckets { get; } = [];

        public List<DriftTimelineEvent> Events { get; } = [];

        /// <summary>Says which run to cancel, if any, once it has seen the buckets so far.</summary>
        public Func<List<DriftBucket>, CancellationTokenSource?>? AfterBucket { get; init; }

        public void BucketClosed(DriftBucket bucket)
        {
            Buckets.Add(bucket);
            AfterBucket?.Invoke(Buckets)?.Cancel();
        }

        public void EventRecorded(DriftTimelineEvent timelineEvent) => Events.Add(timelineEvent);
    }
}
