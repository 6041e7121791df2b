using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using MlopsAspire.Inference;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// A real inference replica in this process that joins a <see cref="ControlPlaneHost"/>'s cluster as production
/// replicas do: routing table from the registry grain, artifacts from the store, its own artifact cache.
/// </summary>
public sealed class ControlPlaneReplica : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _cacheDirectory;

    private ControlPlaneReplica(WebApplication app, string cacheDirectory, string grpcAddress)
    {
        _app = app;
        _cacheDirectory = cacheDirectory;
        GrpcAddress = grpcAddress;
        Channel = GrpcChannel.ForAddress(grpcAddress);
    }

    /// <summary>Where its gRPC endpoint listens: <c>http://127.0.0.1:port</c>.</summary>
    public string GrpcAddress { get; }

    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">More configuration, e.g. <c>--Inference:ArtifactCacheDirectory=...</c>; later ones win.</param>
    public static async Task<ControlPlaneReplica> StartAsync(ControlPlaneHost host, params string[] settings)
    {
        var cacheDirectory = Path.Combine(Path.GetTempPath(), "mlops-replica-" + Guid.NewGuid().ToString("N"));
        // Ports are picked free before they are bound; another test's process can take one in between: pick again.
        for (var attempt = 1; ; attempt++)
        {
            var grpcPort = ControlPlaneHost.FreePort();
            string[] args =
            [
                $"--ConnectionStrings:store={host.StoreEndpoint}",
                $"--Orleans:ClusterId={host.ClusterId}",
                $"--Orleans:ServiceId={host.ClusterId}",
                "--Orleans:Clustering:ProviderType=Redis",
                "--Orleans:Clustering:ServiceKey=store",
                $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{ControlPlaneHost.FreePort()}",
                "--Kestrel:Endpoints:http:Protocols=Http1",
                $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
                "--Kestrel:Endpoints:grpc:Protocols=Http2",
                $"--Inference:ArtifactCacheDirectory={cacheDirectory}",
                "--Inference:IntraOpThreads=1",
                "--Logging:LogLevel:Default=Warning",
                .. settings,
            ];
            var app = InferenceServer.Build(InferenceServer.CreateBuilder(args));
            try
            {
                await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
                return new ControlPlaneReplica(app, cacheDirectory, $"http://127.0.0.1:{grpcPort}");
            }
            catch (Exception exception) when (attempt < 4 && ControlPlaneHost.IsAddressInUse(exception))
            {
                await app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_cacheDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Files still being released; the temp folder is cleaned up later.
        }
        catch (UnauthorizedAccessException)
        {
            // A test made it unwritable on purpose.
        }
    }
}
