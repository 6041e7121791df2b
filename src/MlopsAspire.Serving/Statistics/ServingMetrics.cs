using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MlopsAspire.Serving.Statistics;

/// <summary>
/// OpenTelemetry instruments of the serving engine (meter <c>MlopsAspire.Serving</c>), tagged <c>model</c> and
/// <c>version</c>, read from the <see cref="ModelStatistics"/> attached to it when an exporter collects: the engine
/// records each request once, in its Triton statistics, and this meter reports those same totals, so the two always
/// agree and the request path does no instrument work of its own. As Triton's own Prometheus metrics do, phases are
/// cumulative times (<c>mlops.inference.queue.time</c> ÷ successful <c>mlops.inference.engine.requests</c> is the
/// mean queue time over any interval); latency percentiles per request are the inference host's
/// <c>mlops.inference.duration</c> histogram.
/// </summary>
public sealed class ServingMetrics
{
    public const string MeterName = "MlopsAspire.Serving";

    private readonly ConcurrentDictionary<ModelStatistics, byte> _attached = new();

    public ServingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter(
            "mlops.inference.engine.requests",
            () => Observe<long>(static (snapshot, tags) => [WithOutcome(snapshot.Success.Count, tags, "success"), WithOutcome(snapshot.Fail.Count, tags, "failure")]),
            unit: "{request}",
            description: "Requests the engine accepted, by outcome (success or failure).");
        meter.CreateObservableCounter(
            "mlops.inference.request.time",
            () => Observe<double>(static (snapshot, tags) => [WithOutcome(Seconds(snapshot.Success), tags, "success"), WithOutcome(Seconds(snapshot.Fail), tags, "failure")]),
            unit: "s",
            description: "Engine time of the requests counted by mlops.inference.engine.requests, accepted to answered, summed.");
        CreatePhase(meter, "mlops.inference.queue.time", snapshot => snapshot.Queue, "Time successful requests waited for their batch to start, summed.");
        CreatePhase(meter, "mlops.inference.compute_input.time", snapshot => snapshot.ComputeInput, "Time spent assembling successful requests' batch inputs, summed.");
        CreatePhase(meter, "mlops.inference.compute_infer.time", snapshot => snapshot.ComputeInfer, "Session Run time of successful requests' batches, summed per request.");
        CreatePhase(meter, "mlops.inference.compute_output.time", snapshot => snapshot.ComputeOutput, "Time spent splitting successful requests' outputs from their batch, summed.");
        meter.CreateObservableCounter(
            "mlops.inference.inferences",
            () => Observe<long>(static (snapshot, tags) => [new Measurement<long>(snapshot.InferenceCount, tags)]),
            unit: "{row}",
            description: "Rows inferred (a request with batch size n counts n).");
        meter.CreateObservableCounter(
            "mlops.inference.executions",
            () => Observe<long>(static (snapshot, tags) => [new Measurement<long>(snapshot.ExecutionCount, tags)]),
            unit: "{run}",
            description: "Session runs; inferences ÷ executions is the average batch size.");
        meter.CreateObservableGauge(
            "mlops.inference.pending",
            () => Observe<long>(static (snapshot, tags) => [new Measurement<long>(snapshot.Pending, tags)]),
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

    private void CreatePhase(Meter meter, string name, Func<ModelStatisticsSnapshot, DurationStatistic> phase, string description) =>
        meter.CreateObservableCounter(
            name,
            () => Observe<double>((snapshot, tags) => [new Measurement<double>(Seconds(phase(snapshot)), tags)]),
            unit: "s",
            description: description);

    // One snapshot per version per instrument and collection: collections come every few seconds, not per request.
    private IEnumerable<Measurement<T>> Observe<T>(Func<ModelStatisticsSnapshot, KeyValuePair<string, object?>[], Measurement<T>[]> measure)
        where T : struct
    {
        foreach (var statistics in _attached.Keys)
        {
            foreach (var measurement in measure(statistics.Snapshot(), statistics.Tags))
            {
                yield return measurement;
            }
        }
    }

    private static Measurement<T> WithOutcome<T>(T value, KeyValuePair<string, object?>[] tags, string outcome)
        where T : struct =>
        new(value, [.. tags, new KeyValuePair<string, object?>("outcome", outcome)]);

    private static double Seconds(DurationStatistic duration) => duration.Nanoseconds / 1e9;
}
