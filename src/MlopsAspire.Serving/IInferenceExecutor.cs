using System.Globalization;

namespace MlopsAspire.Serving;

/// <summary>
/// Runs prepared inputs on a model version. The seam between request handling and the session: the inline
/// executor runs each request on its own, a batcher queues requests and runs them together.
/// </summary>
public interface IInferenceExecutor
{
    /// <summary>
    /// The clock of queue times, timeouts and phase timings; <see cref="ExecutionRequest.StartTimestamp"/> is one of
    /// its timestamps.
    /// </summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Computes the request's outputs. The caller owns the result, disposes it while it still holds a lease on
    /// <paramref name="model"/>, and records the request's outcome in the model's statistics; the executor records
    /// each session run. Failures are <see cref="InferenceException"/>s.
    /// </summary>
    ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken);
}

/// <summary>One session Run per request, on the calling thread.</summary>
public sealed class InlineInferenceExecutor(TimeProvider? timeProvider = null) : IInferenceExecutor
{
    public static InlineInferenceExecutor Instance { get; } = new();

    public TimeProvider TimeProvider { get; } = timeProvider ?? TimeProvider.System;

    public ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        if (cancellationToken.IsCancellationRequested)
        {
            throw request.CancelledFailure(model, TimeProvider);
        }

        if (request.ExpiryTimestamp(TimeProvider, defaultTimeout: null) <= started)
        {
            throw request.ExpiredFailure(model, TimeProvider, started);
        }

        var values = model.Run(request.Inputs, request.OutputNames);
        var inferTicks = TimeProvider.ToStopwatchTicks(TimeProvider.GetTimestamp() - started);
        var rows = request.Rows;
        model.Statistics.RecordExecution(rows, 0, inferTicks, 0);
        var queueTicks = TimeProvider.ToStopwatchTicks(started - request.StartTimestamp);
        return ValueTask.FromResult(new ExecutionOutputs(values, new ExecutionTimings(rows, rows, queueTicks, 0, inferTicks, 0)));
    }
}

/// <summary>What an executor needs of a request: its validated inputs, the outputs to compute and its scheduling context.</summary>
public sealed class ExecutionRequest
{
    public required PreparedInputs Inputs { get; init; }

    /// <summary>Outputs to compute, in the order the response lists them.</summary>
    public required IReadOnlyList<string> OutputNames { get; init; }

    /// <summary>When the request arrived, a timestamp of the executor's <see cref="IInferenceExecutor.TimeProvider"/>.</summary>
    public long StartTimestamp { get; init; }

    /// <inheritdoc cref="InferenceRequest.Priority"/>
    public int Priority { get; init; }

    /// <inheritdoc cref="InferenceRequest.Timeout"/>
    public TimeSpan? Timeout { get; init; }

    /// <inheritdoc cref="InferenceRequest.Deadline"/>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The caller's correlation id, for messages.</summary>
    public string? Id { get; init; }

    /// <summary>Rows of the request: the first dimension of its first input (1 for a scalar input).</summary>
    public int Rows => Inputs.Shapes.Count > 0 && Inputs.Shapes[0].Length > 0 ? (int)Inputs.Shapes[0][0] : 1;

    /// <summary>
    /// The timestamp after which the request may no longer start computing (the earlier of its timeout and its
    /// deadline), or <see cref="long.MaxValue"/> when it has neither. A zero or negative timeout means none.
    /// </summary>
    public long ExpiryTimestamp(TimeProvider timeProvider, TimeSpan? defaultTimeout)
    {
        var expiry = long.MaxValue;
        if ((Timeout ?? defaultTimeout) is { } timeout && timeout > TimeSpan.Zero)
        {
            expiry = SaturatingAdd(StartTimestamp, timeProvider.ToTimestampTicks(timeout));
        }

        if (Deadline is { } deadline)
        {
            var remaining = deadline - timeProvider.GetUtcNow();
            var atDeadline = SaturatingAdd(
                timeProvider.GetTimestamp(),
                remaining <= TimeSpan.Zero ? 0 : timeProvider.ToTimestampTicks(remaining));
            expiry = Math.Min(expiry, atDeadline);
        }

        return expiry;
    }

    internal InferenceException ExpiredFailure(OnnxModel model, TimeProvider timeProvider, long now, TimeSpan? defaultTimeout = null)
    {
        var waited = timeProvider.GetElapsedTime(StartTimestamp, now);
        var limit = (Timeout ?? defaultTimeout) is { } timeout && timeout > TimeSpan.Zero && waited >= timeout
            ? string.Create(CultureInfo.InvariantCulture, $"its timeout of {timeout.TotalMilliseconds:0.###} ms")
            : "its deadline";
        return InferenceException.DeadlineExceeded(string.Create(
            CultureInfo.InvariantCulture,
            $"request{IdText} to model '{model.Name}' version '{model.Version}' passed {limit} after waiting {waited.TotalMilliseconds:0.###} ms; it was not computed"));
    }

    /// <summary>The failure of a request whose token fired: a missed deadline when the deadline has passed, else a cancellation.</summary>
    internal InferenceException CancelledFailure(OnnxModel model, TimeProvider timeProvider)
    {
        if (Deadline is { } deadline && timeProvider.GetUtcNow() >= deadline)
        {
            return InferenceException.DeadlineExceeded(
                $"request{IdText} to model '{model.Name}' version '{model.Version}' passed its deadline before it was computed");
        }

        return InferenceException.Cancelled(
            $"request{IdText} to model '{model.Name}' version '{model.Version}' was cancelled before it was computed");
    }

    private string IdText => string.IsNullOrEmpty(Id) ? "" : $" '{EchoedText.Of(Id)}'";

    private static long SaturatingAdd(long left, long right) => right > long.MaxValue - left ? long.MaxValue : left + right;
}

/// <summary>Time conversions between a <see cref="TimeProvider"/>'s timestamps and the <see cref="System.Diagnostics.Stopwatch"/> ticks statistics use.</summary>
public static class TimeProviderTicks
{
    public static long ToStopwatchTicks(this TimeProvider timeProvider, long timestampTicks) =>
        timeProvider.TimestampFrequency == System.Diagnostics.Stopwatch.Frequency
            ? timestampTicks
            : (long)(timestampTicks * ((double)System.Diagnostics.Stopwatch.Frequency / timeProvider.TimestampFrequency));

    /// <summary>A duration as ticks of the provider's timestamps (saturating at <see cref="long.MaxValue"/>).</summary>
    public static long ToTimestampTicks(this TimeProvider timeProvider, TimeSpan duration)
    {
        var ticks = duration.Ticks * ((double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond);
        return ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }
}

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
