using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Admits a management call only with a bearer API key whose role covers the operation: no or an unknown key is
/// UNAUTHENTICATED, too small a role PERMISSION_DENIED, and every refusal goes to the security audit.
/// The admitted caller is left in the call's user state for the service (see <see cref="Caller"/>).
/// </summary>
public sealed partial class ApiKeyInterceptor(
    ApiKeyRegistry keys,
    IGrainFactory grains,
    TimeProvider timeProvider,
    ILogger<ApiKeyInterceptor> logger) : Interceptor
{
    private const string BearerPrefix = "Bearer ";

    public static ApiKeyIdentity Caller(ServerCallContext context) =>
        context.UserState.TryGetValue(typeof(ApiKeyIdentity), out var identity) && identity is ApiKeyIdentity caller
            ? caller
            : throw new InvalidOperationException("The management call was not authenticated.");

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AdmitAsync(context, ModelNameOf(request));
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AdmitAsync(context, modelName: null);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AdmitAsync(context, ModelNameOf(request));
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AdmitAsync(context, modelName: null);
        await continuation(requestStream, responseStream, context);
    }

    private async Task AdmitAsync(ServerCallContext context, string? modelName)
    {
        var operation = ManagementPermissions.OperationName(context.Method);
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length == BearerPrefix.Length)
        {
            await RefuseAsync("anonymous", operation, modelName, StatusCode.Unauthenticated,
                "A management call needs an API key: send the header 'authorization: Bearer <key>' (the CLI reads MLOPS_API_KEY).");
        }

        var presented = header![BearerPrefix.Length..].Trim();
        var caller = keys.Find(presented);
        if (caller is null)
        {
            await RefuseAsync($"unknown-key:{ApiKeyRegistry.Fingerprint(presented)}", operation, modelName, StatusCode.Unauthenticated,
                "The API key is not known to this control plane.");
        }

        var required = ManagementPermissions.RequiredRole(context.Method);
        if (caller!.Role < required)
        {
            await RefuseAsync(caller.Name, operation, modelName, StatusCode.PermissionDenied,
                $"{operation} needs the {required.ToString().ToLowerInvariant()} role; key '{caller.Name}' has {caller.Role.ToString().ToLowerInvariant()}.");
        }

        context.UserState[typeof(ApiKeyIdentity)] = caller;
    }

    private async Task RefuseAsync(string caller, string operation, string? modelName, StatusCode status, string detail)
    {
        var outcome = status == StatusCode.Unauthenticated ? "unauthenticated" : "permission-denied";
        LogRefused(caller, operation, outcome, modelName);
        try
        {
            await grains.GetGrain<ISecurityAuditGrain>(ISecurityAuditGrain.SingletonKey)
                .RecordAsync(new SecurityAuditEvent(timeProvider.GetUtcNow(), caller, operation, outcome, detail, modelName));
        }
        catch (Exception ex)
        {
            // The refusal stands even if the trail cannot be written; the log above still has it.
            LogAuditFailed(ex);
        }

        throw new RpcException(new Status(status, detail));
    }

    /// <summary>The <c>name</c> field of a request that names a model, for the audit.</summary>
    private static string? ModelNameOf<TRequest>(TRequest request) =>
        request is IMessage message
        && message.Descriptor.FindFieldByName("name") is { FieldType: FieldType.String } field
        && field.Accessor.GetValue(message) is string { Length: > 0 } name
            ? name
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Management call refused: {Caller} {Operation} ({Outcome}, model {Model})")]
    private partial void LogRefused(string caller, string operation, string outcome, string? model);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write a refused call to the security audit")]
    private partial void LogAuditFailed(Exception exception);
}
