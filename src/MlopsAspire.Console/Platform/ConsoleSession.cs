using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Mlops.V1;

namespace MlopsAspire.Console.Platform;

/// <summary>
/// One browser circuit's sign-in. The API key stays here, on the server, for the circuit's life (never in a URL,
/// cookie or the page); the role comes from the control plane (<c>GetCaller</c>), which still checks it on every call,
/// so the role only decides what the console offers.
/// </summary>
public sealed class ConsoleSession(GrpcChannel channel, IOptions<ConsoleOptions> options)
{
    private ModelManagement.ModelManagementClient? _management;
    private ModelMonitoring.ModelMonitoringClient? _monitoring;

    /// <summary>Raised after signing in or out, for the layout to show the right page.</summary>
    public event Action? Changed;

    public bool IsSignedIn => _management is not null;

    /// <summary>The key's configured name, as the audit trail records it.</summary>
    public string CallerName { get; private set; } = "";

    public ConsoleRole Role { get; private set; }

    public bool CanOperate => IsSignedIn && Role >= ConsoleRole.Operator;

    public bool IsAdmin => IsSignedIn && Role >= ConsoleRole.Admin;

    public ModelManagement.ModelManagementClient Management =>
        _management ?? throw new InvalidOperationException("Sign in before calling the management API.");

    public ModelMonitoring.ModelMonitoringClient Monitoring =>
        _monitoring ?? throw new InvalidOperationException("Sign in before calling the monitoring API.");

    /// <summary>Asks the control plane whom <paramref name="apiKey"/> identifies; signs in only when it answers.</summary>
    /// <returns>Null when signed in, otherwise why not, in words for the person at the keyboard.</returns>
    public async Task<string?> SignInAsync(string? apiKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            return "Enter an API key (the AppHost's mlops-reader-key, mlops-operator-key or mlops-admin-key parameter).";
        }

        var key = apiKey.Trim();
        var invoker = channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {key}");
            return metadata;
        });
        var management = new ModelManagement.ModelManagementClient(invoker);
        CallerIdentity caller;
        try
        {
            caller = await management.GetCallerAsync(new GetCallerRequest(), cancellationToken: cancellationToken);
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.Unauthenticated)
        {
            return "This API key is not known to the control plane: check it and try again.";
        }
        catch (RpcException error)
        {
            return ApiErrorText.Describe(error, options.Value.ControlPlaneAddress);
        }

        if (!Enum.TryParse<ConsoleRole>(caller.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            return $"The control plane gave this key the role '{caller.Role}', which this console does not know.";
        }

        (CallerName, Role, _management, _monitoring) = (caller.Name, role, management, new ModelMonitoring.ModelMonitoringClient(invoker));
        Changed?.Invoke();
        return null;
    }

    public void SignOut()
    {
        (CallerName, Role, _management, _monitoring) = ("", default, null, null);
        Changed?.Invoke();
    }
}
