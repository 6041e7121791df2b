using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlopsAspire.Serving.Statistics;

/// <summary>
/// OpenTelemetry instruments of the serving engine (meter <c>MlopsAspire.Inference</c>), tagged <c>model</c> and
/// <c>version</c>: per-phase latency histograms in seconds, inference (rows) and execution (session runs) counters,
/// and a pending-requests gauge. Fed by <see cref="ModelStatistics"/>, so numbers here and in the protocol's
/// statistics agree.
/// </summary>
public static class ServingMetrics
{
    public const string MeterName = "MlopsAspire.Inference";

    private static readonly double[] LatencyBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<ModelStatistics, byte> Registered = new();

    private static readonly Histogram<double> Queue = CreateLatency("mlops.inference.queue.duration", "Time a request waited for its batch to start.");
    private static readonly Histogram<double> ComputeInput = CreateLatency("mlops.inference.compute_input.duration", "Time to assemble a request's batch inputs.");
    private static readonly Histogram<double> ComputeInfer = CreateLatency("mlops.inference.compute_infer.duration", "Session Run time of a request's batch.");
    private static readonly Histogram<double> ComputeOutput = CreateLatency("mlops.inference.compute_output.duration", "Time to split a request's outputs from its batch.");
    private static readonly Histogram<double> Total = CreateLatency("mlops.inference.request.duration", "Engine time of a request, accepted to answered.");

    private static readonly Counter<long> Inferences = Meter.CreateCounter<long>(
        "mlops.inference.inferences", unit: "{row}", description: "Rows inferred (a request with batch size n counts n).");

    private static readonly Counter<long> Executions = Meter.CreateCounter<long>(
        "mlops.inference.executions", unit: "{run}", description: "Session runs; inferences ÷ executions is the average batch size.");

    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>(
        "mlops.inference.engine.requests", unit: "{request}", description: "Requests the engine accepted, by outcome (success or failure).");

    static ServingMetrics()
    {
        Meter.CreateObservableGauge(
            "mlops.inference.pending",
            ObservePending,
            unit: "{request}",
            description: "Requests queued or computing, per model version.");
    }

    internal static void Register(ModelStatistics statistics) => Registered.TryAdd(statistics, 0);

    internal static void Unregister(ModelStatistics statistics) => Registered.TryRemove(statistics, out _);

    internal static void RecordRequest(
        ModelStatistics statistics,
        bool succeeded,
        long queueTicks,
        long computeInputTicks,
        long computeInferTicks,
        long computeOutputTicks,
        long totalTicks)
    {
        var tags = statistics.Tags;
        if (succeeded)
        {
            Queue.Record(Seconds(queueTicks), tags);
            ComputeInput.Record(Seconds(computeInputTicks), tags);
            ComputeInfer.Record(Seconds(computeInferTicks), tags);
            ComputeOutput.Record(Seconds(computeOutputTicks), tags);
        }

        Total.Record(Seconds(totalTicks), tags);
        var outcomeTags = tags;
        outcomeTags.Add("outcome", succeeded ? "success" : "failure");
        Outcomes.Add(1, outcomeTags);
    }

    internal static void RecordExecution(ModelStatistics statistics, int batchSize)
    {
        Executions.Add(1, statistics.Tags);
        Inferences.Add(batchSize, statistics.Tags);
    }

    private static IEnumerable<Measurement<long>> ObservePending()
    {
        foreach (var statistics in Registered.Keys)
        {
            yield return new Measurement<long>(statistics.Pending, statistics.Tags);
        }
    }

    private static Histogram<double> CreateLatency(string name, string description) =>
        Meter.CreateHistogram(name, unit: "s", description: description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static double Seconds(long stopwatchTicks) => stopwatchTicks <= 0 ? 0 : (double)stopwatchTicks / Stopwatch.Frequency;
}
