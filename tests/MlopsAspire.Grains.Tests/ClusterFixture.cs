using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.Grains.Storage;
using MlopsAspire.Store;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// Two in-process silos whose grain state lives in a real store: embedded Garnet, as in production, or a Redis server.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mlops-grains-" + Guid.NewGuid().ToString("N"));
    private EmbeddedGarnetServer? _garnet;
    private readonly string _serviceId = Guid.NewGuid().ToString("N");
    private string _storeEndpoint = string.Empty;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The clock the silos' grains read.</summary>
    protected virtual TimeProvider Clock => TimeProvider.System;

    /// <summary>Registers the clocks of the silo's services: by default every part of the silo reads <see cref="Clock"/>.</summary>
    protected virtual void AddClocks(IServiceCollection services) => services.AddSingleton(Clock);

    public async Task InitializeAsync()
    {
        // MLOPS_TEST_REDIS points the same tests at a real Redis (CI's compatibility run).
        var storeEndpoint = Environment.GetEnvironmentVariable("MLOPS_TEST_REDIS");
        if (string.IsNullOrWhiteSpace(storeEndpoint))
        {
            _garnet = StartGarnet();
            storeEndpoint = _garnet.Endpoint;
        }

        _storeEndpoint = storeEndpoint;
        Cluster = await DeployAsync();
    }

    /// <summary>The store's endpoint (host:port) the silos keep their grain state in.</summary>
    public string StoreEndpoint => _storeEndpoint;

    /// <summary>
    /// Stops every silo and starts a new cluster over the same store, as a platform restart does: every grain is
    /// activated afresh and reads its state back from storage.
    /// </summary>
    public async Task RestartAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Cluster = await DeployAsync();
    }

    private async Task<InProcessTestCluster> DeployAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        // Storage keys start with the service id: a restarted cluster keeps it, or it would find no state.
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            AddClocks(silo.Services);
            silo.Services.AddModelStateSerializer();
            silo.AddRedisGrainStorage(GrainStorageNames.Models, options =>
                options.ConfigurationOptions = ConfigurationOptions.Parse(_storeEndpoint));
            silo.UseRedisReminderService(options => options.ConfigurationOptions = ConfigurationOptions.Parse(_storeEndpoint));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
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

    /// <summary>
    /// The store on a port picked free; another test's process can take it before it is bound (thirteen classes start
    /// a store each, beside other assemblies' platforms), so a taken port is picked again.
    /// </summary>
    private EmbeddedGarnetServer StartGarnet()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return EmbeddedGarnetServer.Start(
                    new EmbeddedGarnetOptions { Port = FreePort(), DataDirectory = _dataDirectory, Memory = "64m" },
                    NullLoggerFactory.Instance);
            }
            catch (Exception exception) when (attempt < 4 && IsAddressInUse(exception))
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception exception) =>
        exception is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || (exception.InnerException is { } inner && IsAddressInUse(inner));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
