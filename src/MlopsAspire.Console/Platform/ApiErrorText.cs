using Grpc.Core;

namespace MlopsAspire.Console.Platform;

/// <summary>What a failed management or monitoring call means, in one line a person can act on.</summary>
public static class ApiErrorText
{
    public static string Describe(RpcException error, string address)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode switch
        {
            StatusCode.Unavailable => $"Cannot reach the control plane at {address}: {error.Status.Detail} (is the platform running?)",
            StatusCode.Unauthenticated => $"Not signed in: {error.Status.Detail}",
            StatusCode.PermissionDenied => $"Not allowed: {error.Status.Detail}",
            StatusCode.NotFound => $"Not found: {error.Status.Detail}",
            StatusCode.FailedPrecondition => $"Refused: {error.Status.Detail}",
            StatusCode.Aborted => $"Someone else changed this model first, so nothing was done: {error.Status.Detail} The page now shows the model as it is; check it and try again.",
            StatusCode.InvalidArgument => $"Invalid: {error.Status.Detail}",
            StatusCode.DeadlineExceeded => $"The control plane did not answer in time: {error.Status.Detail}",
            _ => $"The control plane failed ({error.StatusCode}): {error.Status.Detail}",
        };
    }
}
