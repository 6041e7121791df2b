using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Mlops.V1;

namespace MlopsAspire.Cli;

/// <summary>The addresses and key the commands use: options first, then environment variables, then defaults.</summary>
public sealed class ServerConnections(CliConsole console)
{
    public const string ServerVariable = "MLOPS_SERVER";
    public const string ApiKeyVariable = "MLOPS_API_KEY";
    public const string InferServerVariable = "MLOPS_INFER_SERVER";
    public const string DefaultServer = "http://localhost:8081";
    public const string DefaultInferServer = "http://localhost:8001";

    public static string ResolveAddress(string? option, string? environment, string fallback, string what)
    {
        var address = !string.IsNullOrWhiteSpace(option) ? option : !string.IsNullOrWhiteSpace(environment) ? environment : fallback;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"{what} address '{address}' is not an http:// or https:// URL.");
        }

        return address;
    }

    public string ManagementAddress(string? option) =>
        ResolveAddress(option, console.Environment(ServerVariable), DefaultServer, "The control plane");

    public string InferenceAddress(string? option) =>
        ResolveAddress(option, console.Environment(InferServerVariable), DefaultInferServer, "The inference server");

    /// <summary>A monitoring client (same server and key as management); the channel goes with it.</summary>
    public (GrpcChannel Channel, ModelMonitoring.ModelMonitoringClient Client) Monitoring(string? serverOption)
    {
        var (channel, invoker) = AuthenticatedInvoker(serverOption);
        return (channel, new ModelMonitoring.ModelMonitoringClient(invoker));
    }

    /// <summary>A management client sending the key from MLOPS_API_KEY; the channel goes with it.</summary>
    public (GrpcChannel Channel, ModelManagement.ModelManagementClient Client) Management(string? serverOption)
    {
        var (channel, invoker) = AuthenticatedInvoker(serverOption);
        return (channel, new ModelManagement.ModelManagementClient(invoker));
    }

    /// <summary>Management and monitoring clients over one channel (same server and key); the channel goes with them.</summary>
    public (GrpcChannel Channel, ModelManagement.ModelManagementClient Management, ModelMonitoring.ModelMonitoringClient Monitoring) ControlPlane(string? serverOption)
    {
        var (channel, invoker) = AuthenticatedInvoker(serverOption);
        return (channel, new ModelManagement.ModelManagementClient(invoker), new ModelMonitoring.ModelMonitoringClient(invoker));
    }

    private (GrpcChannel Channel, CallInvoker Invoker) AuthenticatedInvoker(string? serverOption)
    {
        var key = console.Environment(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new CliException($"No API key: set {ApiKeyVariable} to a management API key (the AppHost's mlops-reader-key, mlops-operator-key or mlops-admin-key parameter).");
        }

        var channel = GrpcChannel.ForAddress(ManagementAddress(serverOption));
        return (channel, WithBearerKey(channel, key));
    }

    /// <summary>Calls over <paramref name="channel"/> that send <paramref name="apiKey"/> as <c>authorization: Bearer</c>.</summary>
    public static CallInvoker WithBearerKey(GrpcChannel channel, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        return channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {apiKey.Trim()}");
            return metadata;
        });
    }

    /// <summary>The one line a failed call prints, saying what went wrong and, where it helps, what to do.</summary>
    /// <param name="addressHint">How to point the command elsewhere, e.g. "--server or MLOPS_SERVER".</param>
    public static string Describe(RpcException error, string address, string addressHint) => error.StatusCode switch
    {
        StatusCode.Unavailable => $"cannot reach {address}: {error.Status.Detail} (is the platform running? set {addressHint})",
        StatusCode.Unauthenticated => $"not authenticated: {error.Status.Detail}",
        StatusCode.PermissionDenied => $"permission denied: {error.Status.Detail}",
        StatusCode.NotFound => $"not found: {error.Status.Detail}",
        StatusCode.FailedPrecondition => $"refused: {error.Status.Detail}",
        StatusCode.Aborted => $"conflict: {error.Status.Detail}",
        StatusCode.InvalidArgument => $"invalid: {error.Status.Detail}",
        StatusCode.ResourceExhausted => $"too large: {error.Status.Detail}",
        StatusCode.Unknown or StatusCode.Internal => $"the server failed: {error.Status.Detail} (its log has the details)",
        _ => $"{error.StatusCode}: {error.Status.Detail}",
    };
}
