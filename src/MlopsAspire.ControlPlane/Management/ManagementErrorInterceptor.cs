using Grpc.Core;
using Grpc.Core.Interceptors;
using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>Turns the lifecycle's and the store's exceptions into the status a caller can act on, keeping their messages.</summary>
public sealed class ManagementErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public static Status? ToStatus(Exception exception) => exception switch
    {
        ModelNotFoundException => new Status(StatusCode.NotFound, exception.Message),
        LifecycleViolationException => new Status(StatusCode.FailedPrecondition, exception.Message),
        ConcurrencyConflictException => new Status(StatusCode.Aborted, exception.Message),
        ArtifactTooLargeException => new Status(StatusCode.ResourceExhausted, exception.Message),
        ArtifactIntegrityException => new Status(StatusCode.InvalidArgument, exception.Message),
        ArgumentException => new Status(StatusCode.InvalidArgument, exception.Message),
        _ when StoredStateFailure.Describe(exception) is { } reason => new Status(StatusCode.DataLoss, reason),
        _ => null,
    };
}
