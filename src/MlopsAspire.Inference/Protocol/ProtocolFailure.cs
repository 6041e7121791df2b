using Grpc.Core;

namespace MlopsAspire.Inference.Protocol;

/// <summary>A failed request as the protocol reports it: a gRPC status code and a message the caller can act on.</summary>
public readonly record struct ProtocolFailure(StatusCode Code, string Message)
{
    public RpcException ToRpcException() => new(new Status(Code, Message));

    /// <summary>The REST status for the same failure, so both transports tell a caller the same thing.</summary>
    public int HttpStatus => Code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.Cancelled => StatusCodes.Status499ClientClosedRequest,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };
}
