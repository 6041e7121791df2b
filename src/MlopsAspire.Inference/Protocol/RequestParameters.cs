using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol;

/// <summary>Request parameters of Triton's protocol that this server honours, shared by gRPC and REST.</summary>
internal static class RequestParameters
{
    public const string Priority = "priority";

    /// <summary>Microseconds a request may wait for its computation to start.</summary>
    public const string Timeout = "timeout";

    /// <summary>The longest timeout a <see cref="TimeSpan"/> holds (<see cref="TimeSpan.MaxValue"/>'s ticks).</summary>
    private const ulong MaxTimeoutMicroseconds = long.MaxValue / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// The request's priority from the <c>priority</c> parameter's value (null when absent): 1 is the highest level;
    /// 0 or absent takes the model's default.
    /// </summary>
    public static int PriorityFrom(ulong? value) => value switch
    {
        null => 0,
        <= int.MaxValue => (int)value.Value,
        _ => throw InferenceException.InvalidArgument($"parameter '{Priority}' is {value}; priority levels go up to {int.MaxValue}"),
    };

    /// <summary>The request's queue timeout from the <c>timeout</c> parameter's microseconds (null when absent); 0 or absent takes the model's default.</summary>
    public static TimeSpan? TimeoutFrom(ulong? microseconds) => microseconds switch
    {
        null or 0 => null,
        <= MaxTimeoutMicroseconds => TimeSpan.FromTicks((long)microseconds.Value * TimeSpan.TicksPerMicrosecond),
        _ => throw InferenceException.InvalidArgument($"parameter '{Timeout}' of {microseconds} µs is too large"),
    };
}
