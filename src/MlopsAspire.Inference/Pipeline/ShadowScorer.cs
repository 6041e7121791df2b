using System.Collections.Concurrent;
using System.Collections.Immutable;
using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Recording;
using MlopsAspire.ServiceDefaults;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Threading;

namespace MlopsAspire.Inference.Pipeline;

/// <summary>
/// Runs sampled copies of production requests on shadow versions, after the production response is computed
/// and without delaying it. Copies wait in a bounded lane per shadow (a copy beyond the bound is dropped and
/// counted) and run on dedicated shadow threads, never on the thread pool that serves requests. A shadow thread
/// takes the copies waiting in a lane together, concatenated into one batch when the version batches, so a
/// busy shadow costs one session Run per batch rather than per request. A copy that waited past the timeout is
/// dropped and counted, and failures are counted, never surfaced. Outputs are compared with production's (label
/// agreement, score differences) into production's statistics; the shadow's own statistics record its latency
/// and inputs. When production's payload was logged, the shadow's scores are logged beside it (up to a rate
/// per shadow: each is one more store write), so feedback measures the shadow's accuracy on the same requests.
/// </summary>
public sealed partial class ShadowScorer : IDisposable
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxGatherStep = TimeSpan.FromMilliseconds(5);
    private readonly ConcurrentDictionary<(string Model, string Version), ShadowLane> _lanes = new();
    private readonly ShadowOutputComparer _comparer = new();
    private readonly InferenceEngine _engine;
    private readonly ReplicaMonitoring _monitoring;
    private readonly MonitoringOptions _options;
    private readonly ILogger _logger;
    private readonly PayloadLogWriter? _payloads;
    private readonly TimeProvider _time;
    private readonly Lazy<LowPriorityWorkQueue> _threads;

    /// <param name="timeProvider">The clock of the gathering window, the shadow timeout and the shadow's queue and run times.</param>
    public ShadowScorer(InferenceEngine engine, ReplicaMonitoring monitoring, MonitoringOptions options, ILogger logger, PayloadLogWriter? payloads = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShadowThreads, 1, $"{MonitoringOptions.SectionName}:ShadowThreads");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxShadowInFlight, 1, $"{MonitoringOptions.SectionName}:MaxShadowInFlight");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxShadowScoresLoggedPerSecond, $"{MonitoringOptions.SectionName}:MaxShadowScoresLoggedPerSecond");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxShadowScoresLoggedPerSecond, PerSecondAllowance.MaxPerSecond, $"{MonitoringOptions.SectionName}:MaxShadowScoresLoggedPerSecond");
        if (options.ShadowBatchWindow < TimeSpan.Zero || options.ShadowBatchWindow >= options.ShadowTimeout)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.ShadowBatchWindow,
                $"{MonitoringOptions.SectionName}:ShadowBatchWindow must be at least 0 and shorter than {MonitoringOptions.SectionName}:ShadowTimeout ({options.ShadowTimeout})");
        }

        _monitoring = monitoring;
        _options = options;
        _logger = logger;
        _payloads = payloads;
        _time = timeProvider ?? TimeProvider.System;
        // The inline executor runs each batch on the shadow thread itself: through the replica's batcher it would
        // run on whichever request thread leads the batch.
        _engine = new InferenceEngine(engine.Repository);
        _threads = new(StartThreads, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>What the system granted the shadow threads (they start with the first copy).</summary>
    public LoweredPriority? ThreadPriority => _threads.IsValueCreated ? _threads.Value.Priority : null;

    /// <param name="productionPlan">How production's outputs were read: a shadow whose own plan names no prediction is read the same way.</param>
    /// <param name="payloadLoggedAt">When production's payload was logged under the request id, if it was (then the shadow's scores are logged too).</param>
    public void Score(
        InferenceRequest request,
        string productionVersion,
        ScoredRows production,
        MonitoringPlan productionPlan,
        ImmutableArray<ShadowRoute> shadows,
        VersionStatistics productionStatistics,
        DateTimeOffset? payloadLoggedAt = null)
    {
        foreach (var shadow in shadows)
        {
            if (shadow.Version == productionVersion || Random.Shared.NextDouble() >= shadow.SampleRate)
            {
                continue;
            }

            // A counter, not a semaphore: nothing on this path takes a lock the shadow threads also take.
            var lane = _lanes.GetOrAdd((request.ModelName, shadow.Version), key => new ShadowLane(key.Model, key.Version) { ScoreLogs = new PerSecondAllowance(_options.MaxShadowScoresLoggedPerSecond) });
            if (Interlocked.Increment(ref lane.Pending) > _options.MaxShadowInFlight)
            {
                Interlocked.Decrement(ref lane.Pending);
                productionStatistics.Accumulator.RecordShadowDropped(shadow.Version);
                continue;
            }

            // The request's buffers belong to the call, which ends before the copy runs.
            lane.Copies.Enqueue(new ShadowCopy(
                ScoredRows.CopyForShadow(request, shadow.Version, _options.ShadowTimeout),
                production,
                productionPlan,
                productionStatistics,
                payloadLoggedAt is { } loggedAt && !string.IsNullOrEmpty(request.Id) ? new LoggedPayload(request.Id, loggedAt) : null,
                _time.GetTimestamp()));
            Schedule(lane);
        }
    }

    public void Dispose()
    {
        if (_threads.IsValueCreated)
        {
            _threads.Value.Dispose();
        }
    }

    private LowPriorityWorkQueue StartThreads()
    {
        var threads = new LowPriorityWorkQueue(
            "shadow-scoring",
            _options.ShadowThreads,
            _options.ShadowLowPriority,
            LogItemFailed);
        LogThreads(threads.ThreadCount, threads.Priority);
        return threads;
    }

    /// <summary>Puts the lane on the shadow threads' queue unless it is there already.</summary>
    private void Schedule(ShadowLane lane)
    {
        if (Interlocked.CompareExchange(ref lane.Scheduled, 1, 0) != 0)
        {
            return;
        }

        if (!_threads.Value.TryEnqueue(() => Drain(lane)))
        {
            // Shutting down: what waits is never scored (a held-over copy only exists while a drain was scheduled).
            while (lane.Copies.TryDequeue(out var copy))
            {
                Interlocked.Decrement(ref lane.Pending);
                copy.ProductionStatistics.Accumulator.RecordShadowDropped(lane.Version);
            }
        }
    }

    /// <summary>One batch of the lane's copies; the lane then goes to the back of the queue if more wait, so shadows take turns.</summary>
    private void Drain(ShadowLane lane)
    {
        var maxRows = _engine.Repository.TryResolve(lane.Model, lane.Version, out var model) && model.Batching.IsBatching
            ? model.Batching.MaxBatchSize
            : 0;
        if (maxRows > 1)
        {
            GatherBatch(lane, maxRows);
        }

        var batch = TakeBatch(lane, maxRows);
        try
        {
            if (batch.Count > 0)
            {
                RunBatch(lane, batch);
            }
        }
        finally
        {
            Interlocked.Add(ref lane.Pending, -batch.Count);
            // A full fence between clearing the flag and looking at the queue: a copy enqueued by a request that
            // still saw the flag set is found here, or that request's own Schedule wins the flag.
            Interlocked.Exchange(ref lane.Scheduled, 0);
            if (lane.HeldOver is not null || !lane.Copies.IsEmpty)
            {
                Schedule(lane);
            }
        }
    }

    /// <summary>
    /// Lets copies gather for up to <see cref="MonitoringOptions.ShadowBatchWindow"/> after the oldest was queued:
    /// one Run of many rows costs far less than many Runs of one row, each wake-up of the shadow thread can take a
    /// core from a request, and no caller waits for a shadow. Ends early once the batch would be full or half the
    /// lane's bound is queued, so gathering never makes the bound drop copies. Other lanes gather meanwhile.
    /// </summary>
    private void GatherBatch(ShadowLane lane, int maxRows)
    {
        var window = _options.ShadowBatchWindow;
        if (window <= TimeSpan.Zero || TakeNext(lane) is not { } oldest)
        {
            return;
        }

        // Held over, not peeked: the batch starts with it (see TakeBatch).
        lane.HeldOver = oldest;
        var enough = Math.Max(1, Math.Min(_options.MaxShadowInFlight / 2, maxRows / Math.Max(1, oldest.Rows)));
        while (true)
        {
            var now = _time.GetTimestamp();
            var age = _time.GetElapsedTime(oldest.Queued, now);
            var pending = Volatile.Read(ref lane.Pending);
            if (age >= window || pending >= enough)
            {
                return;
            }

            // Until the window ends or, at the rate copies have arrived since the oldest, enough are queued; with no
            // rate to go by yet, a quarter of the window (at most MaxGatherStep) before looking again.
            var wait = window - age;
            wait = pending > 1
                ? TimeSpan.FromTicks(Math.Min(wait.Ticks, (long)(age.Ticks * (enough - pending) / (double)(pending - 1))))
                : TimeSpan.FromTicks(Math.Min(wait.Ticks, Math.Min(window.Ticks / 4, MaxGatherStep.Ticks)));

            SleepUntil(now + _time.ToTimestampTicks(wait < OneMillisecond ? OneMillisecond : wait));
        }
    }

    /// <summary>
    /// Blocks the shadow thread until the clock reaches <paramref name="wakeAt"/>. The timer counts from the clock as
    /// it reads when set, so the clock is read again after setting it: it may have passed the time meanwhile.
    /// </summary>
    private void SleepUntil(long wakeAt)
    {
        var remaining = wakeAt - _time.GetTimestamp();
        if (remaining <= 0)
        {
            return;
        }

        // A completion rather than an event: a timer that fires as it is disposed finds nothing disposed.
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = _time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), wake, _time.GetElapsedTime(0, remaining), Timeout.InfiniteTimeSpan);
        if (_time.GetTimestamp() < wakeAt)
        {
            wake.Task.Wait();
        }
    }

    /// <summary>
    /// The copies that can run as one batch: while the version batches (<paramref name="maxRows"/> above 0),
    /// consecutive copies whose inputs can be concatenated, up to its largest batch; otherwise one copy. Copies
    /// that waited past the timeout are dropped.
    /// </summary>
    private List<ShadowCopy> TakeBatch(ShadowLane lane, int maxRows)
    {
        var batch = new List<ShadowCopy>();
        var rows = 0;
        // Only the lane's drain (one at a time) touches the held-over copy. No TryPeek on the queue: peeking pins
        // a ConcurrentQueue segment, so every later enqueue would need a new segment (and the cross-segment lock).
        while (TakeNext(lane) is { } next)
        {
            if (_time.GetElapsedTime(next.Queued) >= _options.ShadowTimeout)
            {
                // Production outran the shadow for longer than a copy may wait: stale copies are not worth a core.
                Interlocked.Decrement(ref lane.Pending);
                next.ProductionStatistics.Accumulator.RecordShadowDropped(lane.Version);
                continue;
            }

            var nextRows = next.Rows;
            if (batch.Count > 0 && (maxRows == 0 || rows + nextRows > maxRows || !CanConcatenate(batch[0].Request, next.Request)))
            {
                lane.HeldOver = next;
                break;
            }

            batch.Add(next);
            rows += nextRows;
        }

        return batch;
    }

    private static ShadowCopy? TakeNext(ShadowLane lane)
    {
        if (lane.HeldOver is { } held)
        {
            lane.HeldOver = null;
            return held;
        }

        return lane.Copies.TryDequeue(out var next) ? next : null;
    }

    private void RunBatch(ShadowLane lane, List<ShadowCopy> batch)
    {
        var started = _time.GetTimestamp();
        try
        {
            var request = batch.Count == 1 ? batch[0].Request : Concatenate(batch);
            var pending = _engine.InferAsync(request, CancellationToken.None);
            // The inline executor completes on this thread; anything else would be a bug, not a slow shadow.
            using var response = pending.IsCompleted ? pending.Result : throw new InvalidOperationException("shadow inference did not complete inline");
            var finished = _time.GetTimestamp();
            // A candidate registered without a config of its own names no prediction; it is read as production reads
            // its outputs, so that agreement compares the same outputs (a candidate usually keeps the signature).
            var plan = response.MonitoringPlan.Prediction is null && batch[0].ProductionPlan.Prediction is not null
                ? batch[0].ProductionPlan
                : response.MonitoringPlan;
            var scored = ScoredRows.From(request, response, plan, withLabels: true);
            var compute = response.Timings.ComputeTime;
            var statistics = _monitoring.For(lane.Model, lane.Version);
            var firstRow = 0;
            foreach (var copy in batch)
            {
                var rows = batch.Count == 1 ? scored.Rows : copy.Rows;
                var shadow = scored.Slice(firstRow, rows);
                firstRow += rows;
                // The shadow's total latency is its batch's own run, not the wait for the shadow thread: the latency
                // gate compares it with production's p99, and the wait measures how busy the shadow thread was (and
                // the gathering window), not how fast the version is. The wait is its queue time.
                statistics.RecordSuccess(shadow, plan, _time.GetElapsedTime(copy.Queued, started), compute, _time.GetElapsedTime(started, finished));
                Compare(lane, copy, shadow, plan.Task);
            }
        }
        catch (Exception exception)
        {
            var elapsed = _time.GetElapsedTime(started);
            var served = exception is InferenceException { Kind: not InferenceErrorKind.NotFound }
                && _engine.Repository.TryResolve(lane.Model, lane.Version, out _);
            foreach (var copy in batch)
            {
                copy.ProductionStatistics.Accumulator.RecordShadowDropped(lane.Version);
                if (served)
                {
                    _monitoring.For(lane.Model, lane.Version).Accumulator.RecordFailure(FailureTag.Of(((InferenceException)exception).Kind), elapsed);
                }
            }

            if (exception is not InferenceException)
            {
                LogBatchFailed(exception, batch.Count, lane.Model, lane.Version);
            }
        }
    }

    private void Compare(ShadowLane lane, ShadowCopy copy, ScoredRows shadow, ModelTask? task)
    {
        var shadowVersion = lane.Version;
        var production = copy.Production;
        if (production.Scores.Length == shadow.Scores.Length && production.Scores.Length > 0)
        {
            // Classes agree when equal; a regression's values when close; a score alone by its side of 0.5.
            var comparison = production.Labels is { } productionLabels && shadow.Labels is { } shadowLabels && productionLabels.Length == shadowLabels.Length
                ? ShadowOutputComparer.Compare(production.Scores, shadow.Scores, productionLabels, shadowLabels)
                : task == ModelTask.Regression
                    ? ShadowOutputComparer.CompareValues(production.Scores, shadow.Scores)
                    : _comparer.Compare(production.Scores, shadow.Scores);
            copy.ProductionStatistics.Accumulator.RecordShadow(shadowVersion, comparison);
        }

        if (_payloads is not null && copy.Logged is { } logged && shadow.Scores.Length > 0 && lane.ScoreLogs.TryTake())
        {
            // Queued for the payload writer's next batch rather than sent from here: the store connection's locks
            // are shared with request threads.
            _payloads.TryAppendShadowScores(new ShadowScoreRecord(copy.Request.ModelName, shadowVersion, logged.RequestId, logged.At, DateTimeOffset.UtcNow, shadow.Scores));
        }
    }

    /// <summary>Whether two copies' inputs can be joined along the first dimension: same names, types and row shapes, all raw.</summary>
    private static bool CanConcatenate(InferenceRequest first, InferenceRequest next)
    {
        if (first.Inputs.Count != next.Inputs.Count)
        {
            return false;
        }

        for (var i = 0; i < first.Inputs.Count; i++)
        {
            var a = first.Inputs[i];
            var b = next.Inputs[i];
            if (!a.Data.IsRaw || !b.Data.IsRaw || a.Name != b.Name || a.Datatype != b.Datatype
                || a.Shape.Count != b.Shape.Count || a.Shape.Count == 0 || a.Shape[0] < 1 || b.Shape[0] < 1)
            {
                return false;
            }

            for (var dimension = 1; dimension < a.Shape.Count; dimension++)
            {
                if (a.Shape[dimension] != b.Shape[dimension])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The copies as one request, each input concatenated along the first dimension in batch order.</summary>
    private static InferenceRequest Concatenate(List<ShadowCopy> batch)
    {
        var first = batch[0].Request;
        var inputs = new List<InferenceInput>(first.Inputs.Count);
        for (var i = 0; i < first.Inputs.Count; i++)
        {
            long rows = 0;
            var length = 0;
            foreach (var copy in batch)
            {
                rows += copy.Request.Inputs[i].Shape[0];
                length += copy.Request.Inputs[i].Data.RawBytes.Length;
            }

            var bytes = new byte[length];
            var offset = 0;
            foreach (var copy in batch)
            {
                var raw = copy.Request.Inputs[i].Data.RawBytes.Span;
                raw.CopyTo(bytes.AsSpan(offset));
                offset += raw.Length;
            }

            var template = first.Inputs[i];
            var shape = new long[template.Shape.Count];
            shape[0] = rows;
            for (var dimension = 1; dimension < shape.Length; dimension++)
            {
                shape[dimension] = template.Shape[dimension];
            }

            inputs.Add(new InferenceInput(template.Name, template.Datatype, shape, TensorData.Raw(bytes)));
        }

        return new InferenceRequest
        {
            ModelName = first.ModelName,
            ModelVersion = first.ModelVersion,
            Inputs = inputs,
            Timeout = first.Timeout,
        };
    }

    /// <summary>One shadow version's waiting copies.</summary>
    private sealed class ShadowLane(string model, string version)
    {
        public readonly ConcurrentQueue<ShadowCopy> Copies = new();

        /// <summary>Copies queued or running (the bound).</summary>
        public int Pending;

        /// <summary>1 while a drain of this lane is queued or running.</summary>
        public int Scheduled;

        /// <summary>A copy taken from the queue that did not fit the last batch; the next drain starts with it.</summary>
        public ShadowCopy? HeldOver;

        public string Model { get; } = model;

        public string Version { get; } = version;

        /// <summary>Logged shadow scores this second.</summary>
        public required PerSecondAllowance ScoreLogs { get; init; }
    }

    /// <summary>Production's logged payload of the request a copy was made from.</summary>
    private sealed record LoggedPayload(string RequestId, DateTimeOffset At);

    private sealed record ShadowCopy(
        InferenceRequest Request, ScoredRows Production, MonitoringPlan ProductionPlan, VersionStatistics ProductionStatistics, LoggedPayload? Logged, long Queued)
    {
        /// <summary>Rows of the copy: the first dimension of its first input (1 without one).</summary>
        public int Rows => Request.Inputs.Count > 0 && Request.Inputs[0].Shape.Count > 0 ? (int)Math.Max(1, Request.Inputs[0].Shape[0]) : 1;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shadow scoring item failed")]
    private partial void LogItemFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shadow scoring runs on {Threads} dedicated thread(s), priority lowered: {Priority}")]
    private partial void LogThreads(int threads, LoweredPriority priority);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shadow batch of {Count} request(s) to {Model} version {Version} failed")]
    private partial void LogBatchFailed(Exception exception, int count, string model, string version);
}
