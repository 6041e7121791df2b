
namespace MlopsAspire.Serving;

/// <summary>The phases of a request's execution, in <see cref="System.Diagnostics.Stopwatch"/> ticks (as <see cref="Statistics.ModelStatistics"/> takes them).</summary>
/// <param name="RequestRows">Rows of the request itself (Triton's per-request batch size, counted as inferences).</param>
/// <param name="BatchRows">Rows of the batch the request ran in: its own rows when it ran alone, the sum over every
/// request merged with it otherwise.</param>
/// <param name="QueueTicks">Arrival to the start of its batch.</param>
/// <param name="ComputeInputTicks">Assembling the batch's inputs.</param>
/// <param name="ComputeInferTicks">The session Run of its batch.</param>
/// <param name="ComputeOutputTicks">Splitting its outputs from the batch.</param>
public readonly record struct ExecutionTimings(int RequestRows, int BatchRows, long QueueTicks, long ComputeInputTicks, long ComputeInferTicks, long ComputeOutputTicks)
{
    /// <summary>Arrival to the start of its batch.</summary>
    public TimeSpan QueueTime => FromStopwatchTicks(QueueTicks);

    /// <summary>The three compute phases of its batch together.</summary>
    public TimeSpan ComputeTime => FromStopwatchTicks(ComputeInputTicks + ComputeInferTicks + ComputeOutputTicks);

    private static TimeSpan FromStopwatchTicks(long ticks) => TimeSpan.FromTicks(ticks * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);
}
