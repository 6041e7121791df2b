using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>Request parameters of Triton's protocol that this server honours, shared by gRPC and REST.</summary>
internal static class RequestParameters
{
    public const string Priority = "priority";

    /// <summary>Microseconds a request may wait for its computation to start.</summary>
    public const string Timeout = "timeout";

    public static TimeSpan TimeoutFromMicroseconds(ulong microseconds) =>
        microseconds <= (ulong)(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)
            ? TimeSpan.FromTicks((long)microseconds * TimeSpan.TicksPerMicrosecond)
            : throw InferenceException.InvalidArgument($"parameter '{Timeout}' of {microseconds} µs is too large");
}
