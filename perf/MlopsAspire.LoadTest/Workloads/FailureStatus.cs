using Grpc.Core;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>How a failed request is counted: the gRPC status code name, or what went wrong on the client.</summary>
public static class FailureStatus
{
    public const string StreamError = "StreamError";
    public const string InvalidResponse = "InvalidResponse";
    public const string Cancelled = "Cancelled";

    public static string Of(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode.ToString(),
        StreamInferException => StreamError,
        InvalidResponseException => InvalidResponse,
        OperationCanceledException => Cancelled,
        _ => $"Client:{exception.GetType().Name}",
    };
}
