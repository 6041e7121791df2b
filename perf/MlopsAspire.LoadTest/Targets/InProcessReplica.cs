using System.Net;
using System.Net.Sockets;
using Inference;
using MlopsAspire.Inference;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.LoadTest.Workloads;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// Our inference replica (<see cref="InferenceServer"/>) hosted in this process on loopback ports over a local
/// model folder: the whole serving path (Kestrel, gRPC, the Open Inference Protocol service, the engine)
/// without the rest of the platform.
/// </summary>
public sealed class InProcessReplica : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessReplica(WebApplication app, Uri address, IReadOnlyList<string> configuration)
    {
        _app = app;
        Address = address;
        Configuration = configuration;
    }

    public Uri Address { get; }

    /// <summary>The configuration overrides it was started with, for the report.</summary>
    public IReadOnlyList<string> Configuration { get; }

    /// <summary>The replica's prediction pipeline, which its gRPC and REST services call for every inference.</summary>
    public PredictionPipeline Pipeline => _app.Services.GetRequiredService<PredictionPipeline>();

    /// <summary>How the replica runs requests: the executor type it resolved (inline per request, or a batcher).</summary>
    public string Executor => _app.Services.GetRequiredService<IInferenceExecutor>().GetType().Name;

    /// <summary>
    /// The execution providers its loaded models' sessions run on, which is what ran and not what was configured:
    /// a replica asked for CUDA serves on the CPU when CUDA cannot start.
    /// </summary>
    public IReadOnlyList<ExecutionProvider> ExecutionProviders =>
        [.. _app.Services.GetRequiredService<ModelRepository>().LoadedModels.Select(model => model.ExecutionProvider).Distinct()];

    public static async Task<InProcessReplica> StartAsync(string modelRepository, ReplicaSettings settings, CancellationToken cancellationToken)
    {
        var grpcPort = FreePort();
        var httpPort = FreePort();
        List<string> configuration =
        [
            $"Inference:ModelRepository={modelRepository}",
            $"Inference:IntraOpThreads={settings.IntraOpThreads}",
        ];
        if (settings.Batching is { } batching)
        {
            configuration.Add($"Inference:Batching:Enabled={(batching ? "true" : "false")}");
        }

        configuration.AddRange(settings.ExtraConfiguration);
        string[] args =
        [
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{httpPort}",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
            // Cleartext gRPC needs an HTTP/2-only endpoint; the replica's appsettings.json is not in this folder.
            "--Kestrel:Endpoints:http:Protocols=Http1",
            "--Kestrel:Endpoints:grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Warning",
            .. configuration.Select(setting => $"--{setting}"),
        ];

        var app = InferenceServer.Build(InferenceServer.CreateBuilder(args));
        await app.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var replica = new InProcessReplica(app, new Uri($"http://127.0.0.1:{grpcPort}"), configuration);
        try
        {
            await WaitUntilReadyAsync(replica.Address, TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            return replica;
        }
        catch
        {
            await replica.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Polls ServerReady: a replica answers "not ready" until its models are loaded.</summary>
    public static async Task WaitUntilReadyAsync(Uri address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannels.Create(address);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (!(await client.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: cancellationToken)).Ready)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the replica at {address} did not become ready within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
