using System.Globalization;

namespace MlopsAspire.Serving;

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
