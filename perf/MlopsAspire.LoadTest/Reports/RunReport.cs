using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>
/// One measured workload against one target. With repeats, throughput and percentiles are medians over the
/// repeats, and the distribution and maximum come from their merged histogram.
/// </summary>
public sealed record RunReport
{
    public required string Name { get; init; }

    public required string Target { get; init; }

    public required string Model { get; init; }

    /// <summary>unary, stream, echo, onnxruntime.</summary>
    public required string Call { get; init; }

    /// <summary>"closed 64 clients", "open poisson 500/s".</summary>
    public required string Workload { get; init; }

    public required double DurationSeconds { get; init; }

    public int Repeats { get; init; } = 1;

    public required long Sent { get; init; }

    public required long Succeeded { get; init; }

    public required long Failed { get; init; }

    public double ErrorRate => Sent == 0 ? 0 : Failed / (double)Sent;

    /// <summary>Successful requests per second (median over repeats).</summary>
    public required double Throughput { get; init; }

    public IReadOnlyList<double> ThroughputPerRepeat { get; init; } = [];

    public IReadOnlyList<double> P50MsPerRepeat { get; init; } = [];

    public IReadOnlyList<double> P99MsPerRepeat { get; init; } = [];

    /// <summary>Open model: the schedule's mean rate.</summary>
    public double? TargetRate { get; init; }

    /// <summary>Open model: requests actually sent per second.</summary>
    public double? AchievedRate { get; init; }

    /// <summary>Open model: sends that left later than the late threshold after their intended time.</summary>
    public long? LateSends { get; init; }

    /// <summary>Open model: sends the schedule asked for that never left (in-flight limit reached until the end).</summary>
    public long? MissedSends { get; init; }

    public double? MaxSendLagMs { get; init; }

    /// <summary>Process CPU (client and in-process server together) per completed request, µs; median over repeats.</summary>
    public double CpuMicrosecondsPerRequest { get; init; }

    public required LatencySummary Latency { get; init; }

    public IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; } = new Dictionary<string, long>();

    public IReadOnlyList<IntervalSample> Intervals { get; init; } = [];

    public IReadOnlyList<PercentilePoint> Distribution { get; init; } = [];

    /// <summary>Target facts worth keeping with the numbers: executor, configuration, payload sizes.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>What the server ran for the model over every repeat (OIP ModelStatistics): rows per model run; null when not reported.</summary>
    public ServerBatching? ServerBatching { get; init; }

    /// <summary>How the first repeat was warmed (later repeats only warm connections and caches again).</summary>
    public WarmupOutcome Warmup { get; init; } = WarmupOutcome.None;
}
