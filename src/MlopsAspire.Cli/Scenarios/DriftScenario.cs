using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Mlops.V1;
using MlopsAspire.FraudData;

namespace MlopsAspire.Cli.Scenarios;

/// <summary>
/// Shows a model healing from concept drift: sends labelled fraud transactions at a fixed rate, switches the label
/// pattern after the steady state (inputs stay the same), returns ground truth as feedback after a delay, measures
/// accuracy and AUC of the answers itself, and watches the model's routes for the retrained version taking over.
/// A failed request is counted, never thrown; cancelling ends the run with what it measured so far.
/// </summary>
public sealed class DriftScenario
{
    private const int MaxFeedbackItemsPerBatch = 2_000;
    private static readonly TimeSpan ControlPlaneTimeout = TimeSpan.FromSeconds(10);

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _inference;
    private readonly ModelManagement.ModelManagementClient _management;
    private readonly ModelMonitoring.ModelMonitoringClient _monitoring;
    private readonly TimeProvider _time;

    /// <param name="timeProvider">Paces the traffic and times the answers; the system clock unless a test moves its own.</param>
    public DriftScenario(
        GRPCInferenceService.GRPCInferenceServiceClient inference,
        ModelManagement.ModelManagementClient management,
        ModelMonitoring.ModelMonitoringClient monitoring,
        DriftScenarioOptions options,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inference);
        ArgumentNullException.ThrowIfNull(management);
        ArgumentNullException.ThrowIfNull(monitoring);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid drift scenario options: {string.Join("; ", problems)}.", nameof(options));
        }

        _inference = inference;
        _management = management;
        _monitoring = monitoring;
        _time = timeProvider ?? TimeProvider.System;
        Options = options;
    }

    /// <param name="inference">Calls the OIP inference service.</param>
    /// <param name="controlPlane">Calls the management and monitoring API, already sending an operator key (feedback needs that role).</param>
    public DriftScenario(CallInvoker inference, CallInvoker controlPlane, DriftScenarioOptions options, TimeProvider? timeProvider = null)
        : this(
            new GRPCInferenceService.GRPCInferenceServiceClient(inference),
            new ModelManagement.ModelManagementClient(controlPlane),
            new ModelMonitoring.ModelMonitoringClient(controlPlane),
            options,
            timeProvider)
    {
    }

    /// <param name="apiKey">An operator API key, sent as a bearer token to the control plane only.</param>
    public DriftScenario(GrpcChannel inference, GrpcChannel controlPlane, string apiKey, DriftScenarioOptions options, TimeProvider? timeProvider = null)
        : this(inference.CreateCallInvoker(), ServerConnections.WithBearerKey(controlPlane, apiKey), options, timeProvider)
    {
    }

    public DriftScenarioOptions Options { get; }

    /// <summary>Sets the model's retraining and promotion policies so the platform can heal the drift on its own.</summary>
    public Task ConfigureClosedLoopAsync(ClosedLoopPolicies policies, CancellationToken cancellationToken = default) =>
        policies.ApplyAsync(_management, _monitoring, Options.ModelName, cancellationToken);

    public Task<DriftScenarioResult> RunAsync(CancellationToken cancellationToken = default) => RunAsync(observer: null, cancellationToken);

    /// <summary>
    /// Runs the scenario to <see cref="DriftScenarioOptions.TotalDuration"/> (or early recovery, or cancellation).
    /// Throws only when the model cannot be read at the start (an <see cref="RpcException"/>: wrong key, unknown model,
    /// unreachable control plane).
    /// </summary>
    public async Task<DriftScenarioResult> RunAsync(IDriftScenarioObserver? observer, CancellationToken cancellationToken = default)
    {
        var run = new Run(this, observer, cancellationToken);
        return await run.ExecuteAsync();
    }

    internal static ModelRoutes Routes(Model model) => new(
        model.ProductionVersion,
        model.Canary?.Version ?? "",
        model.Canary?.WeightPercent ?? 0,
        [.. model.Shadows.Select(shadow => shadow.Version)],
        model.Versions.ToDictionary(version => version.Version, version => version.State.ToString()));

    /// <summary>One probability per row from the named output (or the only one), raw or typed; null when the answer does not fit.</summary>
    internal static float[]? ReadProbabilities(ModelInferResponse response, string outputName, int rows)
    {
        var index = -1;
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            if (response.Outputs[i].Name == outputName)
            {
                index = i;
            }
        }

        if (index < 0 && response.Outputs.Count == 1)
        {
            index = 0;
        }

        if (index < 0)
        {
            return null;
        }

        var output = response.Outputs[index];
        float[] values;
        if (response.RawOutputContents.Count > index)
        {
            var raw = response.RawOutputContents[index].Span;
            values = output.Datatype switch
            {
                "FP32" => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
                "FP64" => [.. MemoryMarshal.Cast<byte, double>(raw).ToArray().Select(value => (float)value)],
                _ => [],
            };
        }
        else
        {
            values = output.Datatype switch
            {
                "FP32" => [.. output.Contents?.Fp32Contents ?? []],
                "FP64" => [.. (output.Contents?.Fp64Contents ?? []).Select(value => (float)value)],
                _ => [],
            };
        }

        return values.Length == rows ? values : null;
    }

    /// <summary>The state of one run: its clock, accounting, traffic and feedback counters.</summary>
    private sealed class Run(DriftScenario scenario, IDriftScenarioObserver? observer, CancellationToken cancellation)
    {
        private readonly DriftScenarioOptions _options = scenario.Options;
        private readonly DriftAccounting _accounting = new(scenario.Options.BucketWidth, scenario.Options.Warmup, scenario.Options.RecoveryTolerance);
        private readonly ConcurrentQueue<(TimeSpan AnsweredAt, FeedbackItem Item)> _unlabelled = new();
        private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
        private readonly ConcurrentDictionary<string, long> _pollErrors = new();
        private readonly ConcurrentDictionary<string, long> _feedbackErrors = new();
        private readonly object _reportGate = new();
        private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
        private long _sent;
        private long _feedbackBatches;
        private long _feedbackItems;
        private long _joined;
        private long _unknown;
        private long _rejected;
        private long _startedAt;

        /// <summary>Time since the run started, on the scenario's clock.</summary>
        private TimeSpan Elapsed => scenario._time.GetElapsedTime(_startedAt);

        public async Task<DriftScenarioResult> ExecuteAsync()
        {
            // Generators calibrate their label rule when built and the population on first use (seconds when cold):
            // both happen before the clock starts, so the schedule and the buckets measure the platform only.
            var original = new TransactionStream(new FraudDataOptions { Seed = _options.Seed });
            // Same seed and no covariate shift: the same transactions, only their labels follow the drifted pattern.
            var drifted = new TransactionStream(new FraudDataOptions { Seed = _options.Seed, ConceptDrift = _options.ConceptDrift });
            _ = new FraudDataGenerator(new FraudDataOptions { Seed = _options.Seed }).Generate(1).First();
            var model = await scenario._management.GetModelAsync(
                new GetModelRequest { Name = _options.ModelName }, deadline: DateTime.UtcNow + ControlPlaneTimeout, cancellationToken: cancellation);
            _startedAt = scenario._time.GetTimestamp();
            Report(_accounting.RecordRoutes(TimeSpan.Zero, Routes(model)));

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            Task[] background = [PollAsync(stop.Token), SendFeedbackLoopAsync(stop.Token), CloseBucketsLoopAsync(stop)];
            await SendTrafficAsync(original, drifted, stop.Token);
            await Task.WhenAll(_inFlight.Keys);
            await stop.CancelAsync();
            await Task.WhenAll(background);

            if (!cancellation.IsCancellationRequested)
            {
                // Last look at the routes and the labels still held back, so the summary and the platform see everything.
                await PollOnceAsync(CancellationToken.None);
                await SendRipeFeedbackAsync(TimeSpan.MaxValue, cancellation);
            }

            var elapsed = Elapsed;
            Report(_accounting.CloseAll(elapsed));
            return _accounting.Summarize(elapsed) with
            {
                Cancelled = cancellation.IsCancellationRequested,
                RequestsSent = Interlocked.Read(ref _sent),
                Feedback = new DriftFeedbackTotals
                {
                    Batches = Interlocked.Read(ref _feedbackBatches),
                    ItemsSent = Interlocked.Read(ref _feedbackItems),
                    Joined = Interlocked.Read(ref _joined),
                    Unknown = Interlocked.Read(ref _unknown),
                    Rejected = Interlocked.Read(ref _rejected),
                    ErrorsByStatus = new Dictionary<string, long>(_feedbackErrors),
                },
                PollErrorsByStatus = new Dictionary<string, long>(_pollErrors),
            };
        }

        private async Task SendTrafficAsync(TransactionStream original, TransactionStream drifted, CancellationToken stop)
        {
            var interval = TimeSpan.FromSeconds(1 / _options.RequestsPerSecond);
            var driftActive = false;
            for (long next = 0; !stop.IsCancellationRequested; next++)
            {
                // Open loop: request n is due at n × interval whatever earlier ones are doing.
                var due = interval * next;
                if (due >= _options.TotalDuration)
                {
                    break;
                }

                if (due > Elapsed && !await DelayAsync(due - Elapsed, stop))
                {
                    break;
                }

                if (!driftActive && due >= _options.SteadyDuration)
                {
                    driftActive = true;
                    Report([_accounting.RecordDriftStarted(due, _options.ConceptDrift)]);
                }

                var features = new float[_options.RowsPerRequest * FraudFeatures.Count];
                var labels = new bool[_options.RowsPerRequest];
                for (var row = 0; row < labels.Length; row++)
                {
                    var transaction = original.Next();
                    var relabelled = drifted.Next();
                    transaction.Features.CopyTo(features, row * FraudFeatures.Count);
                    labels[row] = driftActive ? relabelled.IsFraud : transaction.IsFraud;
                }

                Interlocked.Increment(ref _sent);
                if (_inFlight.Count >= _options.MaxInFlight)
                {
                    _accounting.RecordError(Elapsed, "SkippedTooManyInFlight");
                    continue;
                }

                var call = InferAsync($"drift-{_runId}-{next}", features, labels, driftActive);
                _inFlight.TryAdd(call, 0);
                _ = call.ContinueWith(done => _inFlight.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private async Task InferAsync(string id, float[] features, bool[] labels, bool drifted)
        {
            await Task.Yield();
            var request = new ModelInferRequest { ModelName = _options.ModelName, Id = id };
            var input = new ModelInferRequest.Types.InferInputTensor
            {
                Name = _options.InputName,
                Datatype = "FP32",
                Shape = { labels.Length, FraudFeatures.Count },
                Contents = new InferTensorContents(),
            };
            input.Contents.Fp32Contents.AddRange(features);
            request.Inputs.Add(input);
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = _options.ProbabilityOutputName });
            try
            {
                var response = await scenario._inference.ModelInferAsync(request, deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: cancellation);
                var answeredAt = Elapsed;
                var scores = ReadProbabilities(response, _options.ProbabilityOutputName, labels.Length);
                if (scores is null)
                {
                    _accounting.RecordError(answeredAt, "BadResponse");
                    return;
                }

                _accounting.RecordResponse(answeredAt, response.ModelVersion.Length == 0 ? "?" : response.ModelVersion, drifted, scores, labels);
                _unlabelled.Enqueue((answeredAt, new FeedbackItem { RequestId = id, Labels = { labels.Select(label => label ? 1f : 0f) } }));
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                // The caller stopped the run; an interrupted call is not a failure of the platform.
            }
            catch (RpcException ex)
            {
                _accounting.RecordError(Elapsed, ex.StatusCode.ToString());
            }
            catch (Exception ex)
            {
                // Whatever else goes wrong with one call (transport, a malformed answer) is that call's failure only.
                _accounting.RecordError(Elapsed, ex.GetType().Name);
            }
        }

        private async Task SendFeedbackLoopAsync(CancellationToken stop)
        {
            while (await DelayAsync(_options.FeedbackInterval, stop))
            {
                await SendRipeFeedbackAsync(_options.FeedbackDelay, cancellation);
            }
        }

        /// <summary>Sends, in batches, the labels of responses at least <paramref name="age"/> old (all of them for MaxValue).</summary>
        private async Task SendRipeFeedbackAsync(TimeSpan age, CancellationToken cancellationToken)
        {
            while (true)
            {
                var now = Elapsed;
                var request = new FeedbackRequest { ModelName = _options.ModelName };
                while (request.Items.Count < MaxFeedbackItemsPerBatch
                    && _unlabelled.TryPeek(out var next)
                    && (age == TimeSpan.MaxValue || now - next.AnsweredAt >= age)
                    && _unlabelled.TryDequeue(out next))
                {
                    request.Items.Add(next.Item);
                }

                if (request.Items.Count == 0)
                {
                    return;
                }

                var batch = Interlocked.Increment(ref _feedbackBatches);
                request.BatchId = $"drift-{_runId}-feedback-{batch}";
                Interlocked.Add(ref _feedbackItems, request.Items.Count);
                try
                {
                    var response = await scenario._monitoring.SendFeedbackAsync(request, deadline: DateTime.UtcNow + ControlPlaneTimeout, cancellationToken: cancellationToken);
                    Interlocked.Add(ref _joined, response.Joined);
                    Interlocked.Add(ref _unknown, response.UnknownRequestIds.Count);
                    Interlocked.Add(ref _rejected, response.Rejected.Count);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException ex)
                {
                    // Labels of a failed batch are dropped, not retried: the platform sees a gap, as it would in production.
                    _feedbackErrors.AddOrUpdate(ex.StatusCode.ToString(), 1, (_, count) => count + 1);
                }

                if (request.Items.Count < MaxFeedbackItemsPerBatch)
                {
                    return;
                }
            }
        }

        private async Task PollAsync(CancellationToken stop)
        {
            while (await DelayAsync(_options.PollInterval, stop))
            {
                await PollOnceAsync(stop);
            }
        }

        private async Task PollOnceAsync(CancellationToken cancellationToken)
        {
            try
            {
                var model = await scenario._management.GetModelAsync(
                    new GetModelRequest { Name = _options.ModelName }, deadline: DateTime.UtcNow + ControlPlaneTimeout, cancellationToken: cancellationToken);
                Report(_accounting.RecordRoutes(Elapsed, Routes(model)));
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (RpcException ex)
            {
                _pollErrors.AddOrUpdate(ex.StatusCode.ToString(), 1, (_, count) => count + 1);
            }
        }

        private async Task CloseBucketsLoopAsync(CancellationTokenSource stop)
        {
            var tick = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(250).Ticks, _options.BucketWidth.Ticks / 4 + 1));
            while (await DelayAsync(tick, stop.Token))
            {
                var closed = _accounting.CloseBuckets(Elapsed);
                Report(closed);
                if (closed.Count > 0 && _options.StopAfterRecovery is { } enough && _accounting.RecoveredSpan() >= enough)
                {
                    await stop.CancelAsync();
                }
            }
        }

        private void Report(IReadOnlyList<DriftTimelineEvent> events)
        {
            if (observer is null || events.Count == 0)
            {
                return;
            }

            lock (_reportGate)
            {
                foreach (var timelineEvent in events)
                {
                    observer.EventRecorded(timelineEvent);
                }
            }
        }

        private void Report(IReadOnlyList<DriftBucket> buckets)
        {
            if (observer is null || buckets.Count == 0)
            {
                return;
            }

            lock (_reportGate)
            {
                foreach (var bucket in buckets)
                {
                    observer.BucketClosed(bucket);
                }
            }
        }

        /// <summary>Waits; false when stopped instead.</summary>
        private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
        {
            try
            {
                await Task.Delay(delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay, scenario._time, stop);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>An endless seeded stream of transactions (the generator's stream is finite but long; it restarts with the next seed).</summary>
    private sealed class TransactionStream(FraudDataOptions options)
    {
        private FraudDataOptions _options = options;
        private IEnumerator<FraudTransaction> _rows = new FraudDataGenerator(options).Generate(int.MaxValue).GetEnumerator();

        public FraudTransaction Next()
        {
            while (!_rows.MoveNext())
            {
                _options = _options with { Seed = unchecked(_options.Seed + 1) };
                _rows = new FraudDataGenerator(_options).Generate(int.MaxValue).GetEnumerator();
            }

            return _rows.Current;
        }
    }
}
