namespace MlopsAspire.LoadTest.Reports;

/// <summary>
/// How many replicas a target rate needs, from the highest rate one replica sustained within the objective:
/// ⌈target ÷ that rate⌉. Read with its build: a Debug build sustains several times less than a Release build.
/// </summary>
/// <param name="TargetRate">The rate to plan for, requests/s.</param>
/// <param name="RatePerReplica">The highest rate one replica sustained within the objective; null when even the search's start rate missed it.</param>
/// <param name="Replicas">Replicas the target rate needs; null when there is no rate per replica to divide by.</param>
/// <param name="TargetBuild">The build that was measured: Debug or Release for an in-process replica; for a running platform, what is known of it.</param>
public sealed record CapacityPlan(double TargetRate, double? RatePerReplica, int? Replicas, string TargetBuild)
{
    public static CapacityPlan For(double targetRate, double? ratePerReplica, string targetBuild)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetRate);
        int? replicas = ratePerReplica is { } rate && rate > 0 ? checked((int)Math.Ceiling(targetRate / rate)) : null;
        return new CapacityPlan(targetRate, ratePerReplica, replicas, targetBuild);
    }

    /// <summary>One sentence for the console and the reports.</summary>
    public string Summary => Replicas is { } replicas
        ? $"{Formatting.Rate(TargetRate)} req/s needs {replicas} replica{(replicas == 1 ? string.Empty : "s")} at {Formatting.Rate(RatePerReplica!.Value)} req/s each ({TargetBuild} build measured)"
        : $"no replica count for {Formatting.Rate(TargetRate)} req/s: one replica met the objective at no rate tried ({TargetBuild} build measured)";
}
