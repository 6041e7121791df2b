using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MlopsAspire.Cli.Tests;

/// <summary>Counts the unary calls a client starts and how many of them are still waiting for their answer.</summary>
internal sealed class CallCounter : Interceptor
{
    private long _started;
    private long _finished;

    public long Started => Interlocked.Read(ref _started);

    /// <summary>Never below the true count: the finished calls are read before the started ones.</summary>
    public long InFlight
    {
        get
        {
            var finished = Interlocked.Read(ref _finished);
            return Interlocked.Read(ref _started) - finished;
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        Interlocked.Increment(ref _started);
        AsyncUnaryCall<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch
        {
            Interlocked.Increment(ref _finished);
            throw;
        }

        return new AsyncUnaryCall<TResponse>(FinishAsync(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private async Task<TResponse> FinishAsync<TResponse>(Task<TResponse> response)
    {
        try
        {
            return await response.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _finished);
        }
    }
}
