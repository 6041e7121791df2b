using HdrHistogram;
using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>A finished measurement: the merged latency histogram plus counts, before it is turned into a report.</summary>
public sealed record RunMeasurement
{
    public required string Name { get; init; }

    public required WorkloadSettings Workload { get; init; }

    public required HistogramBase Latency { get; init; }

    public required IReadOnlyList<IntervalSample> Intervals { get; init; }

    public required IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required long Sent { get; init; }

    public DispatchOutcome? Dispatch { get; init; }

    /// <summary>
    /// CPU time this whole process (client and any in-process server) used from the start of the run to the end of
    /// its drain. It moves less than throughput with other processes' load on a shared machine.
    /// </summary>
    public TimeSpan ProcessorTime { get; init; }

    /// <summary>What the server ran for the model during the measured run (ModelStatistics read before and after); null when not reported.</summary>
    public ServerBatching? ServerBatching { get; init; }

    /// <summary>How the target was warmed before this measurement.</summary>
    public WarmupOutcome Warmup { get; init; } = WarmupOutcome.None;

    public long Succeeded => Latency.TotalCount;

    /// <summary>Process CPU per completed request, in microseconds; the client's share is the same for every target.</summary>
    public double CpuMicrosecondsPerRequest => Succeeded + Failed == 0 ? 0 : ProcessorTime.TotalMicroseconds / (Succeeded + Failed);

    public long Failed => ErrorsByStatus.Values.Sum();

    public double Throughput => Succeeded / Elapsed.TotalSeconds;
}
