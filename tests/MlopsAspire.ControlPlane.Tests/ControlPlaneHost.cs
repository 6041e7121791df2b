using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.V1;
using MlopsAspire.Artifacts;
using MlopsAspire.Store;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// The real control plane in this process: an Orleans silo on an embedded Garnet store (clustering and grain
/// storage), the management API on a loopback HTTP/2 port, and one API key per role.
/// </summary>
public sealed class ControlPlaneHost : IAsyncLifetime
{
    public const string ReaderKey = "reader-key-0123456789abcdef";
    public const string OperatorKey = "operator-key-0123456789abcdef";
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const long MaxArtifactBytes = 256 * 1024;

    /// <summary>What the validation sandbox may use per model: far more than the test models need, far less than a hostile one asks.</summary>
    public const long ValidationMemoryLimitBytes = 256L * 1024 * 1024;

    private readonly IReadOnlyList<string> _settings;
    private readonly Action<WebApplicationBuilder>? _configure;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mlops-control-plane-" + Guid.NewGuid().ToString("N"));
    private EmbeddedGarnetServer? _garnet;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    /// <summary>The management API's address, e.g. http://127.0.0.1:5123.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The store's endpoint (host:port), where replicas also find the cluster and the artifacts.</summary>
    public string StoreEndpoint => _garnet!.Endpoint;

    /// <summary>The Orleans cluster id replicas join.</summary>
    public string ClusterId { get; } = "tests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The Orleans service id (the same as the cluster id): the prefix of every grain state key in the store.</summary>
    public string ServiceId => ClusterId;

    public ArtifactStore Artifacts => _app!.Services.GetRequiredService<ArtifactStore>();

    public IGrainFactory Grains => _app!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's own cluster client, as a training worker uses one.</summary>
    public IClusterClient ClusterClient => _app!.Services.GetRequiredService<IClusterClient>();

    public Artifacts.Payloads.PayloadLog Payloads => _app!.Services.GetRequiredService<Artifacts.Payloads.PayloadLog>();

    /// <summary>A monitoring client that sends <paramref name="apiKey"/> as its bearer key (none when null).</summary>
    public ModelMonitoring.ModelMonitoringClient MonitoringClient(string? apiKey) =>
        new(apiKey is null ? _channel!.CreateCallInvoker() : _channel!.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {apiKey}");
            return metadata;
        }));

    /// <summary>A management client that sends <paramref name="apiKey"/> as its bearer key (none when null).</summary>
    public ModelManagement.ModelManagementClient Client(string? apiKey)
    {
        CallInvoker invoker = _channel!.CreateCallInvoker();
        if (apiKey is not null)
        {
            invoker = invoker.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {apiKey}");
                return metadata;
            });
        }

        return new ModelManagement.ModelManagementClient(invoker);
    }

    public ControlPlaneHost()
        : this([])
    {
    }

    /// <param name="settings">More configuration, e.g. <c>--Monitoring:Window=00:00:02</c>; later ones win.</param>
    /// <param name="configure">Changes to the host before it is built, e.g. logging a test reads.</param>
    internal ControlPlaneHost(IReadOnlyList<string> settings, Action<WebApplicationBuilder>? configure = null)
    {
        _settings = settings;
        _configure = configure;
    }

    /// <summary>The running control plane's services.</summary>
    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        // Free ports are picked before they are bound, and on a machine running other tests beside these (platforms
        // whose outgoing connections draw on the same ephemeral range) one is now and then taken in between: pick
        // again rather than fail every test of the class.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (Exception exception) when (attempt < 4 && IsAddressInUse(exception))
            {
                await StopAsync();
            }
        }
    }

    /// <summary>Releases what a start that failed had begun, leaving the data folder for the next attempt.</summary>
    private async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }

        if (_garnet is not null)
        {
            await _garnet.DisposeAsync();
            _garnet = null;
        }
    }

    /// <summary>Whether a start failed because a port picked free was taken before it was bound.</summary>
    public static bool IsAddressInUse(Exception exception) =>
        exception is Microsoft.AspNetCore.Connections.AddressInUseException
        || (exception is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
        || (exception.InnerException is { } inner && IsAddressInUse(inner));

    private async Task StartAsync()
    {
        _garnet = EmbeddedGarnetServer.Start(
            new EmbeddedGarnetOptions { Port = FreePort(), DataDirectory = _dataDirectory, Memory = "64m" },
            NullLoggerFactory.Instance);
        var grpcPort = FreePort();
        var cluster = ClusterId;
        string[] args =
        [
            $"--ConnectionStrings:store={_garnet.Endpoint}",
            $"--Orleans:ClusterId={cluster}",
            $"--Orleans:ServiceId={cluster}",
            "--Orleans:Clustering:ProviderType=Redis",
            "--Orleans:Clustering:ServiceKey=store",
            "--Orleans:GrainStorage:Default:ProviderType=Redis",
            "--Orleans:GrainStorage:Default:ServiceKey=store",
            "--Orleans:Reminders:ProviderType=Redis",
            "--Orleans:Reminders:ServiceKey=store",
            $"--Orleans:Endpoints:SiloPort={FreePort()}",
            $"--Orleans:Endpoints:GatewayPort={FreePort()}",
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{FreePort()}",
            "--Kestrel:Endpoints:http:Protocols=Http1",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
            "--Kestrel:Endpoints:grpc:Protocols=Http2",
            "--ControlPlane:SeedDemoModels=false",
            "--ControlPlane:OrleansDashboard=false",
            $"--Management:MaxArtifactBytes={MaxArtifactBytes}",
            $"--Validation:MemoryLimitBytes={ValidationMemoryLimitBytes}",
            "--Management:WatchRenewInterval=00:00:02",
            $"--Management:ApiKeys:Reader:ann-reader={ReaderKey}",
            $"--Management:ApiKeys:Operator:olly-operator={OperatorKey}",
            $"--Management:ApiKeys:Admin:ada-admin={AdminKey}",
            "--Logging:LogLevel:Default=Warning",
            .. _settings,
        ];

        var builder = ControlPlaneServer.CreateBuilder(args);
        _configure?.Invoke(builder);
        _app = ControlPlaneServer.Build(builder);
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Address = $"http://127.0.0.1:{grpcPort}";
        _channel = GrpcChannel.ForAddress(Address);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }

        if (_garnet is not null)
        {
            await _garnet.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Files still being released; the temp folder is cleaned up later.
        }
    }

    public static string UniqueModelName(string prefix = "model") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
