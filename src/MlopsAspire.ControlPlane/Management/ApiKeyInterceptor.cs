using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Admits a management call only with a bearer API key whose role covers the operation: no or an unknown key is
/// UNAUTHENTICATED, too small a role PERMISSION_DENIED, and every refusal goes to the security audit (through
/// <see cref="RefusalAudit"/>, which records a flood in bounded form) with the model it named, cut and escaped.
/// The admitted caller is left in the call's user state for the service (see <see cref="Caller"/>).
/// </summary>
public sealed partial class ApiKeyInterceptor(
    ApiKeyRegistry keys,
    RefusalAudit refusals,
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
            await RefuseAsync(context, "anonymous", byKey: null, operation, modelName, StatusCode.Unauthenticated,
                "A management call needs an API key: send the header 'authorization: Bearer <key>' (the CLI reads MLOPS_API_KEY).");
        }

        var presented = header![BearerPrefix.Length..].Trim();
        var caller = keys.Find(presented);
        if (caller is null)
        {
            await RefuseAsync(context, $"unknown-key:{ApiKeyRegistry.Fingerprint(presented)}", byKey: null, operation, modelName, StatusCode.Unauthenticated,
                "The API key is not known to this control plane.");
        }

        var required = ManagementPermissions.RequiredRole(context.Method);
        if (caller!.Role < required)
        {
            await RefuseAsync(context, caller.Name, byKey: caller.Name, operation, modelName, StatusCode.PermissionDenied,
                $"{operation} needs the {required.ToString().ToLowerInvariant()} role; key '{caller.Name}' has {caller.Role.ToString().ToLowerInvariant()}.");
        }

        context.UserState[typeof(ApiKeyIdentity)] = caller;
    }

    /// <param name="byKey">The name of the valid key the call presented; null when it had none (the peer is the caller then).</param>
    private async Task RefuseAsync(
        ServerCallContext context, string caller, string? byKey, string operation, string? modelName, StatusCode status, string detail)
    {
        var outcome = status == StatusCode.Unauthenticated ? "unauthenticated" : "permission-denied";
        var peer = PeerAddress(context.Peer);
        var refusal = new SecurityAuditEvent(timeProvider.GetUtcNow(), caller, operation, outcome, detail, modelName, peer).Bounded();
        if (await refusals.RecordAsync(byKey is null ? $"peer {refusal.Peer}" : $"key {byKey}", refusal))
        {
            LogRefused(refusal.Caller, operation, outcome, refusal.ModelName, refusal.Peer);
        }

        throw new RpcException(new Status(status, detail));
    }

    /// <summary>
    /// The model a request names (its <c>name</c> or <c>model_name</c> field), cut and escaped for the audit before
    /// anything else looks at it.
    /// </summary>
    private static string? ModelNameOf<TRequest>(TRequest request) =>
        request is IMessage message
        && (message.Descriptor.FindFieldByName("name") ?? message.Descriptor.FindFieldByName("model_name")) is { FieldType: FieldType.String } field
        && field.Accessor.GetValue(message) is string { Length: > 0 } name
            ? AuditText.Name(name)
            : null;

    /// <summary>The host of a gRPC peer (<c>ipv4:127.0.0.1:5123</c>, <c>ipv6:[::1]:5123</c>) without the port; other peers as they are.</summary>
    internal static string PeerAddress(string? peer)
    {
        if (string.IsNullOrEmpty(peer))
        {
            return "unknown";
        }

        var port = peer.LastIndexOf(':');
        var host = peer.StartsWith("ipv4:", StringComparison.Ordinal) && port > 5 ? peer[5..port]
            : peer.StartsWith("ipv6:[", StringComparison.Ordinal) && peer.LastIndexOf(']') is var end and > 5 ? peer[5..(end + 1)]
            : peer;
        return AuditText.Name(host);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Management call refused: {Caller} {Operation} ({Outcome}, model {Model}, from {Peer})")]
    private partial void LogRefused(string caller, string operation, string outcome, string? model, string? peer);
}
