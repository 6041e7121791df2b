using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlopsAspire.Serving.Statistics;

/// <summary>
/// Cumulative statistics of one loaded model version, shaped after Triton's ModelStatistics (so the protocol can
/// report them as is). They are the engine's one record of each request: once attached to <see cref="ServingMetrics"/>,
/// its OpenTelemetry instruments read these totals when an exporter collects. Lock-free: every field is an
/// interlocked counter, so the request path never waits on a reader.
/// </summary>
/// <remarks>
/// Per request: queue (enqueue to the start of its batch), compute input/infer/output (its batch's phases) and
/// success/fail (receipt to response). Per execution: one session Run of a batch of some size; the ratio
/// <see cref="ModelStatisticsSnapshot.InferenceCount"/> ÷ <see cref="ModelStatisticsSnapshot.ExecutionCount"/> is the
/// average batch size.
/// </remarks>
public sealed class ModelStatistics
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly ConcurrentDictionary<int, BatchCounters> _batches = new();

    private long _successCount;
    private long _successNs;
    private long _failCount;
    private long _failNs;
    private long _queueNs;
    private long _computeInputNs;
    private long _computeInferNs;
    private long _computeOutputNs;
    private long _inferenceCount;
    private long _executionCount;
    private long _lastInferenceUnixMs;
    private long _pending;
    private ServingMetrics? _metrics;

    public ModelStatistics(string modelName, string modelVersion)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        _tags = [new("model", modelName), new("version", modelVersion)];
    }

    public string ModelName { get; }

    public string ModelVersion { get; }

    internal KeyValuePair<string, object?>[] Tags => _tags;

    /// <summary>Requests accepted and not yet answered (queued or computing).</summary>
    public long Pending => Volatile.Read(ref _pending);

    public void RequestStarted() => Interlocked.Increment(ref _pending);

    /// <summary>A request answered successfully; times in <see cref="Stopwatch"/> ticks.</summary>
    public void RecordSuccess(int batchSize, long queueTicks, long computeInputTicks, long computeInferTicks, long computeOutputTicks, long totalTicks)
    {
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _successCount);
        Interlocked.Add(ref _successNs, ToNanoseconds(totalTicks));
        Interlocked.Add(ref _queueNs, ToNanoseconds(queueTicks));
        Interlocked.Add(ref _computeInputNs, ToNanoseconds(computeInputTicks));
        Interlocked.Add(ref _computeInferNs, ToNanoseconds(computeInferTicks));
        Interlocked.Add(ref _computeOutputNs, ToNanoseconds(computeOutputTicks));
        Interlocked.Add(ref _inferenceCount, Math.Max(1, batchSize));
        Volatile.Write(ref _lastInferenceUnixMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>A request that failed (rejected, expired, cancelled or faulted) after it was accepted.</summary>
    public void RecordFailure(long totalTicks)
    {
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _failCount);
        Interlocked.Add(ref _failNs, ToNanoseconds(totalTicks));
    }

    /// <summary>One session Run over <paramref name="batchSize"/> rows (the sum of the batched requests' batch sizes).</summary>
    public void RecordExecution(int batchSize, long computeInputTicks, long computeInferTicks, long computeOutputTicks)
    {
        Interlocked.Increment(ref _executionCount);
        var counters = _batches.GetOrAdd(batchSize, static _ => new BatchCounters());
        counters.Record(ToNanoseconds(computeInputTicks), ToNanoseconds(computeInferTicks), ToNanoseconds(computeOutputTicks));
    }

    public ModelStatisticsSnapshot Snapshot() => Snapshot(Volatile.Read(ref _successCount));

    // Every successful request has one of each phase, so their counts are the success count.
    private ModelStatisticsSnapshot Snapshot(long success) => new(
        ModelName,
        ModelVersion,
        Volatile.Read(ref _lastInferenceUnixMs),
        Volatile.Read(ref _inferenceCount),
        Volatile.Read(ref _executionCount),
        new DurationStatistic(success, Volatile.Read(ref _successNs)),
        new DurationStatistic(Volatile.Read(ref _failCount), Volatile.Read(ref _failNs)),
        new DurationStatistic(success, Volatile.Read(ref _queueNs)),
        new DurationStatistic(success, Volatile.Read(ref _computeInputNs)),
        new DurationStatistic(success, Volatile.Read(ref _computeInferNs)),
        new DurationStatistic(success, Volatile.Read(ref _computeOutputNs)),
        [.. _batches.OrderBy(pair => pair.Key).Select(pair => pair.Value.Snapshot(pair.Key))],
        Pending);

    /// <summary>Stops reporting to OpenTelemetry (called when the version is unloaded).</summary>
    public void Detach() => Interlocked.Exchange(ref _metrics, null)?.Detach(this);

    internal void AttachTo(ServingMetrics metrics) => Volatile.Write(ref _metrics, metrics);

    internal static long ToNanoseconds(long stopwatchTicks) =>
        stopwatchTicks <= 0 ? 0 : (long)(stopwatchTicks * (1_000_000_000.0 / Stopwatch.Frequency));

    private sealed class BatchCounters
    {
        private long _count;
        private long _inputNs;
        private long _inferNs;
        private long _outputNs;

        public void Record(long inputNs, long inferNs, long outputNs)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _inputNs, inputNs);
            Interlocked.Add(ref _inferNs, inferNs);
            Interlocked.Add(ref _outputNs, outputNs);
        }

        public BatchStatistic Snapshot(int batchSize)
        {
            var count = Volatile.Read(ref _count);
            return new BatchStatistic(
                batchSize,
                new DurationStatistic(count, Volatile.Read(ref _inputNs)),
                new DurationStatistic(count, Volatile.Read(ref _inferNs)),
                new DurationStatistic(count, Volatile.Read(ref _outputNs)));
        }
    }
}
