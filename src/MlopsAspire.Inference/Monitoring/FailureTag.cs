using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// How a version's statistics name a failed request: by its kind. The names are the ones snapshots have always
/// carried (those of the gRPC status each kind is answered with), so monitoring windows and alerts keep their keys;
/// which status a caller sees is the protocol's business alone.
/// </summary>
public static class FailureTag
{
    public static string Of(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => "InvalidArgument",
        InferenceErrorKind.NotFound => "NotFound",
        InferenceErrorKind.Unavailable => "Unavailable",
        InferenceErrorKind.ResourceExhausted => "ResourceExhausted",
        InferenceErrorKind.DeadlineExceeded => "DeadlineExceeded",
        InferenceErrorKind.Cancelled => "Cancelled",
        _ => "Internal",
    };
}
