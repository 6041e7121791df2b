using System.Globalization;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Warmup;

namespace MlopsAspire.Serving.Planning;

/// <summary>
/// Chooses how many executions of a version run at once when its config does not say, from what warmup measured.
/// A compute-bound model (a batch-1 run of a millisecond or more, e.g. ResNet-18) gets enough instances to fill
/// the replica's cores with its runs' intra-op threads; a light one (e.g. the fraud model, a few microseconds)
/// keeps one, since per-call overhead, not compute, bounds it and the batcher already gathers its requests.
/// </summary>
public static class ExecutionPlanner
{
    /// <summary>A batch-1 run at least this long is compute-bound: a second execution in parallel pays off.</summary>
    public static readonly TimeSpan ComputeBound = TimeSpan.FromMilliseconds(1);

    /// <param name="configuredInstances">The config's <c>instance_group.count</c>; null when it says nothing.</param>
    /// <param name="intraOpThreads">Threads one run uses; 0 when ONNX Runtime chooses (one per core).</param>
    /// <param name="warmup">The warmup runs of this version, in the order they ran.</param>
    /// <param name="cores">Cores of the replica.</param>
    public static ExecutionPlan Choose(int? configuredInstances, int intraOpThreads, IReadOnlyList<WarmupRun> warmup, int cores)
    {
        ArgumentNullException.ThrowIfNull(warmup);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        if (configuredInstances is { } configured)
        {
            return new ExecutionPlan(configured, Invariant($"{configured} instance(s), as the version's config sets instance_group.count"));
        }

        if (intraOpThreads == 0)
        {
            return new ExecutionPlan(1, "1 instance: each run may use every core (intra-op threads 0, ONNX Runtime's choice)");
        }

        if (Fastest(warmup) is not { } run)
        {
            return new ExecutionPlan(1, "1 instance: warmup measured no batch-1 run to plan from");
        }

        var instances = Math.Max(1, cores / intraOpThreads);
        if (run < ComputeBound || instances == 1)
        {
            return new ExecutionPlan(1, Invariant(
                $"1 instance: a batch-1 run took {Describe(run)} at warmup{(run < ComputeBound ? " (light: per-call overhead, not compute, bounds it)" : string.Empty)} and {intraOpThreads} intra-op thread(s) per run fill {cores} core(s) at most once"));
        }

        return new ExecutionPlan(instances, Invariant(
            $"{instances} instances: a batch-1 run took {Describe(run)} at warmup (compute-bound), so {instances} runs at once × {intraOpThreads} intra-op thread(s) fill the {cores} cores"));
    }

    /// <summary>
    /// The fastest batch-1 run, leaving out the first when there are more (it pays for lazy initialisation). The
    /// fastest, not the median: a busy machine only ever adds time to a run, never takes it away.
    /// </summary>
    private static TimeSpan? Fastest(IReadOnlyList<WarmupRun> warmup)
    {
        var runs = warmup.Where(run => run.BatchSize == 1).Select(run => run.Duration).ToList();
        return runs.Count switch
        {
            0 => null,
            1 => runs[0],
            _ => runs.Skip(1).Min(),
        };
    }

    /// <summary>Whether <see cref="Choose"/> needs timings: only when neither the config nor ONNX Runtime fixes the answer.</summary>
    public static bool NeedsTimings(int? configuredInstances, int intraOpThreads) => configuredInstances is null && intraOpThreads > 0;

    /// <summary>Batch-1 runs to time beyond the warmup's own, so the plan rests on warm runs.</summary>
    public static WarmupConfiguration TimingRuns { get; } = new() { BatchSizes = [1], Runs = 3 };

    private static string Describe(TimeSpan run) => run < TimeSpan.FromMilliseconds(1)
        ? Invariant($"{run.TotalMicroseconds:0} µs")
        : Invariant($"{run.TotalMilliseconds:0.0} ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
