using Grpc.Core;
using MlopsAspire.Inference.Models;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol;

/// <summary>Turns any exception of a protocol call into a <see cref="ProtocolFailure"/>, logging server faults.</summary>
public sealed partial class ProtocolErrors(ILogger<ProtocolErrors> logger)
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
                    LogRuntimeFault(inference, operation);
                }

                return new ProtocolFailure(ToStatusCode(inference.Kind), inference.Message);
            case ModelControlRefusedException refused:
                return new ProtocolFailure(StatusCode.FailedPrecondition, refused.Message);
            case OperationCanceledException:
                return new ProtocolFailure(StatusCode.Cancelled, "the call was cancelled");
            default:
                LogUnexpected(exception, operation);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} failed inside the runtime")]
    private partial void LogRuntimeFault(Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} failed unexpectedly")]
    private partial void LogUnexpected(Exception exception, string operation);
}
