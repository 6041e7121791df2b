using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MlopsAspire.Inference.Security;

/// <summary>
/// Refuses Open Inference gRPC calls without a known API key (UNAUTHENTICATED) when keys are configured; the
/// liveness and readiness probes <c>ServerLive</c> and <c>ServerReady</c> stay open.
/// </summary>
public sealed class InferenceApiKeyInterceptor(InferenceApiKeys keys) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        if (!keys.Required || IsHealthProbe(context.Method))
        {
            return;
        }

        if (keys.Refusal(context.RequestHeaders.GetValue("authorization")) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
        }
    }

    // context.Method is the full name, "/inference.GRPCInferenceService/ServerLive".
    private static bool IsHealthProbe(string method) =>
        method.EndsWith("/ServerLive", StringComparison.Ordinal) || method.EndsWith("/ServerReady", StringComparison.Ordinal);
}
