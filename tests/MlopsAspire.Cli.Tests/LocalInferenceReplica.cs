using Microsoft.AspNetCore.Builder;
using MlopsAspire.ControlPlane.Tests;
using MlopsAspire.Inference;

namespace MlopsAspire.Cli.Tests;

/// <summary>A real inference replica serving a local model folder on free loopback ports, as the CLI's commands meet one.</summary>
internal static class LocalInferenceReplica
{
    /// <summary>Starts a replica over <paramref name="modelRoot"/>; returns it and its gRPC address.</summary>
    public static async Task<(WebApplication App, string GrpcAddress)> StartAsync(string modelRoot)
    {
        // Ports are picked free before they are bound; another test's process can take one in between: pick again.
        for (var attempt = 1; ; attempt++)
        {
            var grpcPort = ControlPlaneHost.FreePort();
            string[] args =
            [
                $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{ControlPlaneHost.FreePort()}",
                "--Kestrel:Endpoints:http:Protocols=Http1",
                $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
                "--Kestrel:Endpoints:grpc:Protocols=Http2",
                $"--Inference:ModelRepository={modelRoot}",
                "--Inference:IntraOpThreads=1",
                "--Logging:LogLevel:Default=Warning",
            ];
            var app = InferenceServer.Build(InferenceServer.CreateBuilder(args));
            try
            {
                await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
                return (app, $"http://127.0.0.1:{grpcPort}");
            }
            catch (Exception exception) when (attempt < 4 && ControlPlaneHost.IsAddressInUse(exception))
            {
                await app.DisposeAsync();
            }
        }
    }
}
