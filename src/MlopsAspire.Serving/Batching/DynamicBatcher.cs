using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlopsAspire.Serving.Batching;

/// <summary>
/// Queues the requests of one model version and runs them in batches, with Triton's dynamic batching semantics:
/// requests are concatenated along their first dimension up to <see cref="BatchingOptions.MaxBatchSize"/> rows
/// (a request is never split; one larger than that runs alone), preferred batch sizes are formed when the queue holds them, otherwise the oldest
/// request waits at most <see cref="BatchingOptions.MaxQueueDelay"/> for company (zero: take what is queued now,
/// no timer). The queue holds at most <see cref="BatchingOptions.MaxQueueSize"/> requests and
/// <see cref="BatchingOptions.MaxQueueBytes"/> bytes of inputs (and, with a <see cref="QueueByteBudget"/>, no more
/// than the process's queues may hold together). Higher priority levels are drained first; requests that time out, pass their deadline or are
/// cancelled while queued fail without being computed. <see cref="BatchingOptions.InstanceCount"/> workers run
/// batches concurrently on the version's one session (ONNX Runtime's Run is thread-safe).
/// </summary>
/// <remarks>
/// Requests hold a lease on the version while queued, so the session outlives its queue. Draining (on unload)
/// stops accepting requests, runs what is queued without waiting for the delay, then stops the workers.
/// </remarks>
public sealed partial class DynamicBatcher : IAsyncDisposable
{
    private readonly OnnxModel _model;
    private readonly SessionRunner _run;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly QueueByteBudget? _budget;
    private readonly BatchLatencyModel _latency = new();
    private readonly HashSet<int> _preferred;
    private readonly long _delayTicks;

    private readonly Lock _lock = new();
    private readonly Queue<QueuedRequest>[] _levels;
    private readonly int[] _rowsByLevel;
    private int _queued;
    private long _queuedBytes;
    private int _running;
    private bool _draining;

    private readonly SemaphoreSlim _work = new(0);
    private readonly long[] _busyUntil;
    private readonly Task[] _workers;

    /// <param name="budget">The bytes every queue of the process may hold together; null bounds this queue alone.</param>
    public DynamicBatcher(OnnxModel model, BatchingOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null, QueueByteBudget? budget = null)
        : this(model, options, timeProvider, logger, runner: null, budget)
    {
    }

    internal DynamicBatcher(OnnxModel model, BatchingOptions? options, TimeProvider? timeProvider, ILogger? logger, SessionRunner? runner, QueueByteBudget? budget = null)
    {
        _model = model;
        _budget = budget;
        Options = options ?? model.Batching;
        Options.Validate(model.Signature);
        _run = runner ?? model.Run;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _preferred = [.. Options.PreferredBatchSizes];
        _delayTicks = _time.ToTimestampTicks(Options.MaxQueueDelay);
        _levels = new Queue<QueuedRequest>[Options.PriorityLevels];
        for (var i = 0; i < _levels.Length; i++)
        {
            _levels[i] = new Queue<QueuedRequest>();
        }

        _rowsByLevel = new int[Options.PriorityLevels];
        _busyUntil = new long[Options.InstanceCount];
        _workers = new Task[Options.InstanceCount];
        for (var i = 0; i < _workers.Length; i++)
        {
            var instance = i;
            _workers[i] = Task.Run(() => RunWorkerAsync(instance));
        }
    }

    public OnnxModel Model => _model;

    public BatchingOptions Options { get; }

    /// <summary>The fitted batch latency (adaptive mode predicts with it; fed by every Run).</summary>
    public BatchLatencyModel LatencyModel => _latency;

    /// <summary>Requests waiting (not yet taken into a batch, cancelled or expired).</summary>
    public int QueuedRequests => Volatile.Read(ref _queued);

    /// <summary>Bytes of the inputs of the requests waiting.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public bool IsDraining
    {
        get
        {
            lock (_lock)
            {
                return _draining;
            }
        }
    }

    /// <summary>
    /// Queues a request and completes when its batch has run. Rejections (full queue, predicted to miss the latency
    /// objective, draining, inputs that disagree on the batch size) and failures are <see cref="InferenceException"/>s.
    /// </summary>
    /// <param name="cancellationToken">Fails the request with <see cref="InferenceErrorKind.Cancelled"/> (or
    /// <see cref="InferenceErrorKind.DeadlineExceeded"/> past its deadline) while it is queued; ignored once its batch started.</param>
    public ValueTask<ExecutionOutputs> EnqueueAsync(ExecutionRequest request, CancellationToken cancellationToken = default)
    {
        var now = _time.GetTimestamp();
        var rows = RowsOf(request);
        // As in Triton, 0 and levels the model does not have take the default level.
        var level = request.Priority >= 1 && request.Priority <= Options.PriorityLevels ? request.Priority : Options.DefaultPriorityLevel;

        if (cancellationToken.IsCancellationRequested)
        {
            throw request.CancelledFailure(_model, _time);
        }

        var expiresAt = request.ExpiryTimestamp(_time, Options.DefaultTimeout);
        if (expiresAt <= now)
        {
            throw request.ExpiredFailure(_model, _time, now, Options.DefaultTimeout);
        }

        if (TryRunInline(request, rows, now) is { } inline)
        {
            return new ValueTask<ExecutionOutputs>(inline);
        }

        var entry = new QueuedRequest(this, request, rows, level - 1, now, expiresAt);
        var bytes = entry.Bytes;
        lock (_lock)
        {
            if (_draining)
            {
                throw InferenceException.Unavailable($"model '{_model.Name}' version '{_model.Version}' is unloading; retry");
            }

            if (_queued >= Options.MaxQueueSize)
            {
                _budget?.RecordRefusal();
                throw InferenceException.ResourceExhausted(
                    $"the queue of model '{_model.Name}' version '{_model.Version}' is full ({Options.MaxQueueSize} requests waiting, max_queue_size {Options.MaxQueueSize}); back off and retry");
            }

            if (bytes > Options.MaxQueueBytes - _queuedBytes)
            {
                _budget?.RecordRefusal();
                throw InferenceException.ResourceExhausted(
                    $"the queue of model '{_model.Name}' version '{_model.Version}' is full: it holds {ByteCount.Format(_queuedBytes)} of inputs and this request's {ByteCount.Format(bytes)} would pass max_queue_bytes ({ByteCount.Format(Options.MaxQueueBytes)}); back off and retry");
            }

            if (Options.LatencyObjective is { } objective && _latency.IsReady)
            {
                var predicted = _time.GetElapsedTime(request.StartTimestamp, now) + PredictCompletion(entry.Level, rows, now);
                if (predicted > objective)
                {
                    throw InferenceException.ResourceExhausted(string.Create(
                        CultureInfo.InvariantCulture,
                        $"model '{_model.Name}' version '{_model.Version}' would miss the latency objective of {objective.TotalMilliseconds:0.###} ms; predicted {predicted.TotalMilliseconds:0.###} ms"));
                }
            }

            // Last, so that nothing refuses the request after its bytes are reserved.
            if (_budget is not null && !_budget.TryReserve(bytes))
            {
                _budget.RecordRefusal();
                throw InferenceException.ResourceExhausted(
                    $"this server's queues are full: together they hold {ByteCount.Format(_budget.Used)} of inputs and this request's {ByteCount.Format(bytes)} to model '{_model.Name}' version '{_model.Version}' would pass their budget ({ByteCount.Format(_budget.Limit)}); back off and retry");
            }

            _levels[entry.Level].Enqueue(entry);
            _queued++;
            _queuedBytes += bytes;
            _rowsByLevel[entry.Level] += rows;
        }

        entry.Watch(_time, cancellationToken);
        SignalWork();
        return new ValueTask<ExecutionOutputs>(entry.Task);
    }

    /// <summary>
    /// With greedy batching, a request that finds the queue empty and an instance idle has nobody to batch with:
    /// it runs at once on the caller's thread, sparing two thread hops (to a worker and back). Requests that
    /// arrive meanwhile queue as usual and the workers batch them when an instance frees up.
    /// </summary>
    private ExecutionOutputs? TryRunInline(ExecutionRequest request, int rows, long now)
    {
        if (_delayTicks != 0 || Options.LatencyObjective is not null)
        {
            return null;
        }

        lock (_lock)
        {
            if (_draining || _queued != 0 || _running >= Options.InstanceCount)
            {
                return null;
            }

            _running++;
        }

        try
        {
            var started = _time.GetTimestamp();
            var values = _run(request.Inputs, request.OutputNames);
            var finished = _time.GetTimestamp();
            var infer = _time.ToStopwatchTicks(finished - started);
            var executed = Options.IsBatching ? rows : request.Rows;
            _model.Statistics.RecordExecution(executed, 0, infer, 0);
            _latency.Observe(Options.IsBatching ? rows : 1, _time.GetElapsedTime(started, finished));
            return new ExecutionOutputs(values, new ExecutionTimings(executed, executed, _time.ToStopwatchTicks(started - now), 0, infer, 0));
        }
        finally
        {
            bool waiting;
            lock (_lock)
            {
                _running--;
                waiting = _queued > 0;
            }

            if (waiting)
            {
                SignalWork();
            }
        }
    }

    /// <summary>Stops accepting requests, runs every queued one (without waiting for the delay) and stops the workers.</summary>
    public Task DrainAsync()
    {
        lock (_lock)
        {
            _draining = true;
        }

        _work.Release(_workers.Length);
        return Task.WhenAll(_workers);
    }

    public ValueTask DisposeAsync() => new(DrainAsync());

    internal void OnCancelled(QueuedRequest entry) => Abandon(entry, entry.Request.CancelledFailure(_model, _time));

    internal void OnExpired(QueuedRequest entry) => Abandon(entry, entry.Request.ExpiredFailure(_model, _time, _time.GetTimestamp(), Options.DefaultTimeout));

    private void Abandon(QueuedRequest entry, InferenceException failure)
    {
        if (!entry.TryAbandon())
        {
            return;
        }

        lock (_lock)
        {
            Dequeued(entry);
        }

        entry.Fail(failure);
    }

    /// <summary>
    /// Rows the request adds to a batch; a batched model's inputs must agree on the first dimension. A request of
    /// more rows than the max batch size runs in a batch of its own.
    /// </summary>
    private int RowsOf(ExecutionRequest request)
    {
        if (!Options.IsBatching)
        {
            return 1;
        }

        var shapes = request.Inputs.Shapes;
        var rows = shapes[0][0];
        for (var i = 1; i < shapes.Count; i++)
        {
            if (shapes[i][0] != rows)
            {
                throw InferenceException.InvalidArgument(
                    $"input '{request.Inputs.Names[i]}' has batch size {shapes[i][0]} but input '{request.Inputs.Names[0]}' has {rows}; inputs must agree on the first dimension");
            }
        }

        // Larger requests are served too, each in a batch of its own (the max bounds combining, not callers).
        return (int)Math.Min(rows, int.MaxValue);
    }

    /// <summary>Adaptive mode: how long until a request queued now at <paramref name="level"/> would complete.</summary>
    private TimeSpan PredictCompletion(int level, int rows, long now)
    {
        var rowsAhead = 0;
        for (var i = 0; i <= level; i++)
        {
            rowsAhead += _rowsByLevel[i];
        }

        Span<TimeSpan> busyFor = _busyUntil.Length <= 64 ? stackalloc TimeSpan[_busyUntil.Length] : new TimeSpan[_busyUntil.Length];
        for (var i = 0; i < busyFor.Length; i++)
        {
            var until = Volatile.Read(ref _busyUntil[i]);
            busyFor[i] = until > now ? _time.GetElapsedTime(now, until) : TimeSpan.Zero;
        }

        // Unbatched versions count each request as one row and observe Run times per request.
        return Options.IsBatching
            ? _latency.PredictCompletion(rowsAhead, rows, Options.MaxBatchSize, busyFor, Options.MaxQueueDelay)
            : _latency.PredictCompletion(rowsAhead, 1, 1, busyFor, TimeSpan.Zero);
    }

    private void SignalWork()
    {
        // Enough permits to wake every worker; more would only cause empty wake-ups.
        if (_work.CurrentCount < _workers.Length)
        {
            _work.Release();
        }
    }

    private void Dequeued(QueuedRequest entry)
    {
        _queued--;
        _queuedBytes -= entry.Bytes;
        _rowsByLevel[entry.Level] -= entry.Rows;
        _budget?.Release(entry.Bytes);
    }

    private async Task RunWorkerAsync(int instance)
    {
        var batch = new List<QueuedRequest>(Math.Max(1, Options.MaxBatchSize));
        var expired = new List<QueuedRequest>();
        while (true)
        {
            var now = _time.GetTimestamp();
            bool stop;
            long wakeAt;
            lock (_lock)
            {
                if (_running >= Options.InstanceCount && !_draining)
                {
                    // Every instance is busy (an inline run among them): wait until one finishes.
                    stop = false;
                    wakeAt = long.MaxValue;
                }
                else
                {
                    stop = FormBatch(now, batch, expired, out wakeAt);
                    if (batch.Count > 0)
                    {
                        _running++;
                    }
                }
            }

            foreach (var entry in expired)
            {
                entry.Fail(entry.Request.ExpiredFailure(_model, _time, now, Options.DefaultTimeout));
            }

            expired.Clear();
            if (batch.Count > 0)
            {
                foreach (var entry in batch)
                {
                    entry.ReleaseWatchers();
                }

                try
                {
                    Execute(batch, instance);
                }
                finally
                {
                    lock (_lock)
                    {
                        _running--;
                    }
                }

                batch.Clear();
                continue;
            }

            if (stop)
            {
                return;
            }

            if (wakeAt == long.MaxValue)
            {
                await _work.WaitAsync().ConfigureAwait(false);
                continue;
            }

            // Wait for more requests, or until the oldest one has waited the delay. The timer counts from the clock
            // as it reads now, and the clock is read again after it is set: time may have moved since FormBatch.
            var remaining = wakeAt - _time.GetTimestamp();
            if (remaining <= 0)
            {
                continue;
            }

            using var delay = new CancellationTokenSource(_time.GetElapsedTime(0, remaining), _time);
            if (_time.GetTimestamp() >= wakeAt)
            {
                continue;
            }

            try
            {
                await _work.WaitAsync(delay.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (delay.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// Takes the next batch into <paramref name="batch"/> (under the lock). Returns true when the worker should stop
    /// (draining and nothing queued); <paramref name="wakeAt"/> is when to look again if nothing was taken because
    /// the batch is still waiting for its delay.
    /// </summary>
    private bool FormBatch(long now, List<QueuedRequest> batch, List<QueuedRequest> expired, out long wakeAt)
    {
        wakeAt = long.MaxValue;
        foreach (var level in _levels)
        {
            while (level.TryPeek(out var head) && !head.IsWaiting)
            {
                level.Dequeue();
            }
        }

        if (_queued == 0)
        {
            return _draining;
        }

        var max = Math.Max(1, Options.MaxBatchSize);
        var rows = 0;
        var preferredCount = 0;
        var blocked = false;
        var oldest = long.MaxValue;
        foreach (var level in _levels)
        {
            foreach (var entry in level)
            {
                if (!entry.IsWaiting)
                {
                    continue;
                }

                if (entry.ExpiresAt <= now)
                {
                    if (entry.TryAbandon())
                    {
                        Dequeued(entry);
                        expired.Add(entry);
                    }

                    continue;
                }

                // In queue order: a request that does not fit (or cannot be concatenated) heads the next batch.
                if (batch.Count > 0 && (rows + entry.Rows > max || !Options.IsBatching || !SameRowShapes(batch[0], entry)))
                {
                    blocked = true;
                    break;
                }

                batch.Add(entry);
                rows += entry.Rows;
                oldest = Math.Min(oldest, entry.EnqueuedAt);
                if (_preferred.Contains(rows))
                {
                    preferredCount = batch.Count;
                }

                if (rows >= max)
                {
                    break;
                }
            }

            if (blocked || rows >= max)
            {
                break;
            }
        }

        if (batch.Count == 0)
        {
            return false;
        }

        int take;
        if (rows >= max || !Options.IsBatching)
        {
            take = batch.Count;
        }
        else if (preferredCount > 0)
        {
            take = preferredCount;
        }
        else if (_delayTicks == 0 || blocked || _draining || now - oldest >= _delayTicks)
        {
            take = batch.Count;
        }
        else
        {
            wakeAt = oldest + _delayTicks;
            batch.Clear();
            return false;
        }

        batch.RemoveRange(take, batch.Count - take);
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            if (batch[i].TryTake())
            {
                Dequeued(batch[i]);
            }
            else
            {
                batch.RemoveAt(i);
            }
        }

        return false;
    }

    private static bool SameRowShapes(QueuedRequest first, QueuedRequest other)
    {
        var a = first.Request.Inputs;
        var b = other.Request.Inputs;
        for (var i = 0; i < a.Names.Count; i++)
        {
            var j = IndexOf(b.Names, a.Names[i], i);
            if (j < 0 || !a.Shapes[i].AsSpan(1).SequenceEqual(b.Shapes[j].AsSpan(1)))
            {
                return false;
            }
        }

        return true;
    }

    internal static int IndexOf(IReadOnlyList<string> names, string name, int hint)
    {
        if (hint < names.Count && string.Equals(names[hint], name, StringComparison.Ordinal))
        {
            return hint;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Execute(List<QueuedRequest> batch, int instance)
    {
        var rows = 0;
        foreach (var entry in batch)
        {
            rows += entry.Rows;
        }

        var started = _time.GetTimestamp();
        if (_latency.IsReady)
        {
            Volatile.Write(ref _busyUntil[instance], started + _time.ToTimestampTicks(_latency.Predict(rows)));
        }

        try
        {
            if (batch.Count == 1)
            {
                ExecuteAlone(batch[0], started);
            }
            else
            {
                ExecuteBatch(batch, rows, started);
            }
        }
        catch (Exception exception)
        {
            var failure = exception as InferenceException ?? new InferenceException(
                InferenceErrorKind.Internal,
                $"model '{_model.Name}' version '{_model.Version}' failed on a batch of {rows} rows: {exception.Message}",
                exception);
            if (failure.Kind == InferenceErrorKind.Internal)
            {
                LogBatchFailed(_logger, exception, rows, _model.Name, _model.Version);
            }

            foreach (var entry in batch)
            {
                entry.Fail(failure);
            }
        }
        finally
        {
            Volatile.Write(ref _busyUntil[instance], 0);
        }
    }

    /// <summary>A batch of one request runs on that request's own inputs: no copies in or out.</summary>
    private void ExecuteAlone(QueuedRequest entry, long started)
    {
        var values = _run(entry.Request.Inputs, entry.Request.OutputNames);
        var finished = _time.GetTimestamp();
        var infer = _time.ToStopwatchTicks(finished - started);
        // Unbatched versions count executions per request (rows do not change their batching).
        var rows = Options.IsBatching ? entry.Rows : entry.Request.Rows;
        _model.Statistics.RecordExecution(rows, 0, infer, 0);
        _latency.Observe(Options.IsBatching ? rows : 1, _time.GetElapsedTime(started, finished));
        entry.Complete(new ExecutionOutputs(values, new ExecutionTimings(rows, rows, _time.ToStopwatchTicks(started - entry.EnqueuedAt), 0, infer, 0)));
    }

    private void ExecuteBatch(List<QueuedRequest> batch, int rows, long started)
    {
        var outputNames = BatchTensors.UnionOfOutputs(_model.Signature, batch);
        ExecutionOutputs[] results;
        long inputDone, inferDone, outputDone;
        using (var inputs = BatchTensors.Concatenate(_model.Signature, batch, rows))
        {
            inputDone = _time.GetTimestamp();
            using var values = _run(inputs, outputNames);
            inferDone = _time.GetTimestamp();
            results = BatchTensors.Split(_model, values, outputNames, batch, rows);
            outputDone = _time.GetTimestamp();
        }

        var input = _time.ToStopwatchTicks(inputDone - started);
        var infer = _time.ToStopwatchTicks(inferDone - inputDone);
        var output = _time.ToStopwatchTicks(outputDone - inferDone);
        _model.Statistics.RecordExecution(rows, input, infer, output);
        _latency.Observe(rows, _time.GetElapsedTime(inputDone, inferDone));
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            results[i].Timings = new ExecutionTimings(entry.Rows, rows, _time.ToStopwatchTicks(started - entry.EnqueuedAt), input, infer, output);
            entry.Complete(results[i]);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch of {Rows} rows failed on model {Model} version {Version}")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int rows, string model, string version);
}
