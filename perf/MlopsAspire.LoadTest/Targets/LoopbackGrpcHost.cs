using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using System.Diagnostics;
using System.Net;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// A minimal ASP.NET Core gRPC host on a loopback port (cleartext HTTP/2), for the baselines that are not our
/// replica: the same Kestrel and gRPC stack, none of the platform.
/// </summary>
public sealed class LoopbackGrpcHost : IAsyncDisposable
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly WebApplication _app;

    private LoopbackGrpcHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LoopbackGrpcHost> StartAsync(Action<IServiceCollection> configureServices, Action<WebApplication> mapServices)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Only the endpoint below: an appsettings.json that lands next to the binary (a referenced service's)
        // must not add its endpoints or settings to a baseline.
        builder.Configuration.Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxMessageBytes + (16 * 1024);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxMessageBytes;
            grpc.MaxSendMessageSize = MaxMessageBytes;
        });
        // A baseline is a bare server, as it would be in its own process. ASP.NET Core's request activities are
        // looked up by name, so an in-process replica's tracing would otherwise instrument this host's requests
        // too; names of its own keep them out of every tracer's sight.
        builder.Services.AddSingleton(new DiagnosticListener("MlopsAspire.LoadTest.Baseline"));
        builder.Services.AddSingleton<DiagnosticSource>(services => services.GetRequiredService<DiagnosticListener>());
        builder.Services.AddSingleton(new ActivitySource("MlopsAspire.LoadTest.Baseline"));
        configureServices(builder.Services);

        var app = builder.Build();
        mapServices(app);
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackGrpcHost(app, new Uri(bound));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
