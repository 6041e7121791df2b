using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>Everything one invocation measured; written as JSON, Markdown and HTML.</summary>
public sealed record LoadTestReport
{
    public required string Title { get; init; }

    public required string CommandLine { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public IReadOnlyList<RunReport> Runs { get; init; } = [];

    public IReadOnlyList<ComparisonTable> Comparisons { get; init; } = [];

    public RateSearchReport? RateSearch { get; init; }

    /// <summary>Things a reader must know to interpret the numbers (e.g. what a setting did).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <param name="Build">
/// The build configuration of this tool, and so of every in-process target (replica, naive server, echo): a Debug
/// build serves several times slower, so a report names the build it measured.
/// </param>
public sealed record MachineInfo(string OperatingSystem, int LogicalCores, string Runtime, string Build)
{
    public static MachineInfo Current { get; } = new(
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Environment.ProcessorCount,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        typeof(MachineInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "unknown");
}

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

    /// <summary>How the first repeat was warmed (later repeats only warm connections and caches again).</summary>
    public WarmupOutcome Warmup { get; init; } = WarmupOutcome.None;
}

/// <summary>Subject ÷ reference ratios, e.g. ours ÷ each baseline.</summary>
public sealed record ComparisonTable
{
    public required string Title { get; init; }

    public IReadOnlyList<ComparisonRow> Rows { get; init; } = [];
}

public sealed record ComparisonRow(
    string Subject,
    string Reference,
    double SubjectThroughput,
    double ReferenceThroughput,
    double SubjectP50Ms,
    double ReferenceP50Ms,
    double SubjectP99Ms,
    double ReferenceP99Ms,
    double ThroughputRatio,
    double P50Ratio,
    double P99Ratio,
    int Pairs)
{
    /// <summary>
    /// Ratios of subject to reference. When both ran the same number of interleaved repeats, each ratio is the
    /// median of the per-repeat ratios: neighbours in time share the machine's background load, so their ratio is
    /// steadier than the ratio of two medians taken at different moments.
    /// </summary>
    public static ComparisonRow Of(RunReport subject, RunReport reference)
    {
        var paired = subject.Repeats > 1 && subject.Repeats == reference.Repeats
            && subject.ThroughputPerRepeat.Count == subject.Repeats && reference.ThroughputPerRepeat.Count == reference.Repeats
            && subject.P50MsPerRepeat.Count == subject.Repeats && reference.P50MsPerRepeat.Count == reference.Repeats;
        return new ComparisonRow(
            subject.Name,
            reference.Name,
            subject.Throughput,
            reference.Throughput,
            subject.Latency.P50Ms,
            reference.Latency.P50Ms,
            subject.Latency.P99Ms,
            reference.Latency.P99Ms,
            paired ? MedianRatio(subject.ThroughputPerRepeat, reference.ThroughputPerRepeat) : Ratio(subject.Throughput, reference.Throughput),
            paired ? MedianRatio(subject.P50MsPerRepeat, reference.P50MsPerRepeat) : Ratio(subject.Latency.P50Ms, reference.Latency.P50Ms),
            paired ? MedianRatio(subject.P99MsPerRepeat, reference.P99MsPerRepeat) : Ratio(subject.Latency.P99Ms, reference.Latency.P99Ms),
            paired ? subject.Repeats : 1);
    }

    private static double Ratio(double subject, double reference) => reference > 0 ? subject / reference : double.NaN;

    private static double MedianRatio(IReadOnlyList<double> subject, IReadOnlyList<double> reference) =>
        RunReports.Median(subject.Zip(reference, Ratio).Where(double.IsFinite));
}

/// <summary>The steps of a search for the highest arrival rate that meets a latency and error objective.</summary>
public sealed record RateSearchReport
{
    public required string Scenario { get; init; }

    public required double ObjectiveP99Ms { get; init; }

    public required double MaxErrorRate { get; init; }

    /// <summary>The highest rate that met the objective; null when even the start rate missed it.</summary>
    public double? BestRate { get; init; }

    public IReadOnlyList<RateStep> Steps { get; init; } = [];
}

public sealed record RateStep(double TargetRate, double AchievedRate, double Throughput, double P50Ms, double P99Ms, double ErrorRate, long MissedSends, bool MetObjective);
