using Grpc.Core;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

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

/// <summary>
/// A repository operation this replica does not perform in its current mode (e.g. loading a model while the
/// control plane's routing table decides what is served); reported as FAILED_PRECONDITION.
/// </summary>
public sealed class ModelControlRefusedException(string message) : Exception(message);

/// <summary>Turns any exception of a protocol call into a <see cref="ProtocolFailure"/>, logging server faults.</summary>
public sealed class ProtocolErrors(ILogger<ProtocolErrors> logger)
{
    public ProtocolFailure Translate(Exception exception, string operation)
    {
        switch (exception)
        {
            case RpcException rpc:
                return new ProtocolFailure(rpc.StatusCode, rpc.Status.Detail);
            case InferenceException inference:
                if (inference.Kind == InferenceErrorKind.Internal)
                {
                    logger.LogError(inference, "{Operation} failed inside the runtime", operation);
                }

                return new ProtocolFailure(ToStatusCode(inference.Kind), inference.Message);
            case ModelControlRefusedException refused:
                return new ProtocolFailure(StatusCode.FailedPrecondition, refused.Message);
            case OperationCanceledException:
                return new ProtocolFailure(StatusCode.Cancelled, "the call was cancelled");
            default:
                logger.LogError(exception, "{Operation} failed unexpectedly", operation);
                return new ProtocolFailure(StatusCode.Internal, $"internal error ({exception.GetType().Name}); see the server log");
        }
    }

    public static StatusCode ToStatusCode(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        InferenceErrorKind.NotFound => StatusCode.NotFound,
        InferenceErrorKind.Unavailable => StatusCode.Unavailable,
        InferenceErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        InferenceErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        InferenceErrorKind.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };
}
