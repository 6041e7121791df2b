using System.Globalization;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// What the server says it ran for the model during a measurement, from the Open Inference Protocol's
/// ModelStatistics (any KServe v2 / Triton server reports it): <see cref="Inferences"/> rows answered in
/// <see cref="Executions"/> model runs. Rows per run above one means requests were batched together.
/// </summary>
public sealed record ServerBatching(long Inferences, long Executions)
{
    public double RowsPerRun => Executions == 0 ? 0 : Inferences / (double)Executions;

    /// <summary>The counts between two readings; null when either is missing or the server's counters went back (a restart).</summary>
    public static ServerBatching? Between(ServerBatching? before, ServerBatching? after) =>
        before is null || after is null || after.Inferences < before.Inferences || after.Executions < before.Executions
            ? null
            : new ServerBatching(after.Inferences - before.Inferences, after.Executions - before.Executions);

    /// <summary>The sum over repeats; null when no repeat was read.</summary>
    public static ServerBatching? Sum(IEnumerable<ServerBatching?> readings)
    {
        var read = readings.OfType<ServerBatching>().ToList();
        return read.Count == 0 ? null : new ServerBatching(read.Sum(r => r.Inferences), read.Sum(r => r.Executions));
    }

    /// <summary>"1,204 model runs for 19,870 rows (16.5 rows per run)".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Executions:#,0} model runs for {Inferences:#,0} rows ({RowsPerRun:0.0#} rows per run)");
}
