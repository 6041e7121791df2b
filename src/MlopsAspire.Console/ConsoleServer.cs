using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using MlopsAspire.Console.Components;
using MlopsAspire.Console.Platform;

namespace MlopsAspire.Console;

/// <summary>
/// The console's host: service defaults, one gRPC channel to the control plane shared by every circuit, and a
/// <see cref="ConsoleSession"/> per circuit that holds the signed-in key on the server.
/// </summary>
public static class ConsoleServer
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Run from its build output (as the AppHost runs it) in any environment, the framework's script and the
        // packages' assets are found through the build's static web assets manifest; the publish output has them in
        // place and no manifest, and there this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.AddServiceDefaults();
        builder.Services.AddConsole(builder.Configuration);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }

    /// <summary>What the console's components need: the options, the shared channel and a session per circuit.</summary>
    public static IServiceCollection AddConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidation>();
        services.AddSingleton(provider => GrpcChannel.ForAddress(provider.GetRequiredService<IOptions<ConsoleOptions>>().Value.ControlPlaneAddress));
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<ConsoleSession>();
        return services;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapDefaultEndpoints();
        return app;
    }
}
