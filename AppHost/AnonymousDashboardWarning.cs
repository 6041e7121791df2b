using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlopsAspire.AppHost;

/// <summary>
/// Says out loud when the dashboard was started without a login (the "unsafe-anonymous-dashboard" launch profile):
/// Aspire then also opens its resource service to anyone, and that service lists every resource's environment.
/// </summary>
internal static partial class AnonymousDashboardWarning
{
    private static readonly string[] AllowAnonymousSettings =
        ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"];

    public static void WarnWhenDashboardIsAnonymous(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode
            || !AllowAnonymousSettings.Any(setting => builder.Configuration.GetValue<bool?>(setting) == true))
        {
            return;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            DashboardIsAnonymous(@event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MlopsAspire.AppHost"));
            return Task.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "UNSAFE: the dashboard and its resource service accept anyone on this machine without a login. Every process "
        + "can read the management API keys and the store password from them. Use the default launch profile unless "
        + "you are alone on this machine.")]
    private static partial void DashboardIsAnonymous(ILogger logger);
}
