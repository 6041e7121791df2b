
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

/// <summary>Subject ÷ reference ratios, e.g. ours ÷ each baseline.</summary>
public sealed record ComparisonTable
{
    public required string Title { get; init; }

    public IReadOnlyList<ComparisonRow> Rows { get; init; } = [];
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

    /// <summary>With <c>--target-rate</c>: the replicas that rate needs, from <see cref="BestRate"/>.</summary>
    public CapacityPlan? Capacity { get; init; }
}

public sealed record RateStep(double TargetRate, double AchievedRate, double Throughput, double P50Ms, double P99Ms, double ErrorRate, long MissedSends, bool MetObjective);
