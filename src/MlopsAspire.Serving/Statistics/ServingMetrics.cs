using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlopsAspire.Serving.Statistics;

/// <summary>
/// OpenTelemetry instruments of the serving engine (meter <c>MlopsAspire.Serving</c>), tagged <c>model</c> and
/// <c>version</c>: per-phase latency histograms in seconds, inference (rows) and execution (session runs) counters,
/// and a pending-requests gauge. Fed by the <see cref="ModelStatistics"/> attached to it, so numbers here and in the
/// protocol's statistics come from the same calls and agree.
/// </summary>
public sealed class ServingMetrics
{
    public const string MeterName = "MlopsAspire.Serving";

    private static readonly double[] LatencyBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<ModelStatistics, byte> _attached = new();
    private readonly Histogram<double> _queue;
    private readonly Histogram<double> _computeInput;
    private readonly Histogram<double> _computeInfer;
    private readonly Histogram<double> _computeOutput;
    private readonly Histogram<double> _total;
    private readonly Counter<long> _inferences;
    private readonly Counter<long> _executions;
    private readonly Counter<long> _outcomes;

    public ServingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _queue = CreateLatency(meter, "mlops.inference.queue.duration", "Time a request waited for its batch to start.");
        _computeInput = CreateLatency(meter, "mlops.inference.compute_input.duration", "Time to assemble a request's batch inputs.");
        _computeInfer = CreateLatency(meter, "mlops.inference.compute_infer.duration", "Session Run time of a request's batch.");
        _computeOutput = CreateLatency(meter, "mlops.inference.compute_output.duration", "Time to split a request's outputs from its batch.");
        _total = CreateLatency(meter, "mlops.inference.request.duration", "Engine time of a request, accepted to answered.");
        _inferences = meter.CreateCounter<long>(
            "mlops.inference.inferences", unit: "{row}", description: "Rows inferred (a request with batch size n counts n).");
        _executions = meter.CreateCounter<long>(
            "mlops.inference.executions", unit: "{run}", description: "Session runs; inferences ÷ executions is the average batch size.");
        _outcomes = meter.CreateCounter<long>(
            "mlops.inference.engine.requests", unit: "{request}", description: "Requests the engine accepted, by outcome (success or failure).");
        meter.CreateObservableGauge(
            "mlops.inference.pending",
            ObservePending,
            unit: "{request}",
            description: "Requests queued or computing, per model version.");
    }

    /// <summary>Reports <paramref name="statistics"/> from now on, until <see cref="ModelStatistics.Detach"/>.</summary>
    public void Attach(ModelStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        _attached.TryAdd(statistics, 0);
        statistics.AttachTo(this);
    }

    internal void Detach(ModelStatistics statistics) => _attached.TryRemove(statistics, out _);

    internal void RecordRequest(
        in TagList tags,
        bool succeeded,
        long queueTicks,
        long computeInputTicks,
        long computeInferTicks,
        long computeOutputTicks,
        long totalTicks)
    {
        if (succeeded)
        {
            _queue.Record(Seconds(queueTicks), tags);
            _computeInput.Record(Seconds(computeInputTicks), tags);
            _computeInfer.Record(Seconds(computeInferTicks), tags);
            _computeOutput.Record(Seconds(computeOutputTicks), tags);
        }

        _total.Record(Seconds(totalTicks), tags);
        var outcomeTags = tags;
        outcomeTags.Add("outcome", succeeded ? "success" : "failure");
        _outcomes.Add(1, outcomeTags);
    }

    internal void RecordExecution(in TagList tags, int batchSize)
    {
        _executions.Add(1, tags);
        _inferences.Add(batchSize, tags);
    }

    private IEnumerable<Measurement<long>> ObservePending()
    {
        foreach (var statistics in _attached.Keys)
        {
            yield return new Measurement<long>(statistics.Pending, statistics.Tags);
        }
    }

    private static Histogram<double> CreateLatency(Meter meter, string name, string description) =>
        meter.CreateHistogram(name, unit: "s", description: description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static double Seconds(long stopwatchTicks) => stopwatchTicks <= 0 ? 0 : (double)stopwatchTicks / Stopwatch.Frequency;
}
