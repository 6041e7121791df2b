using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The clock the silos' grains read.</summary>
    protected virtual TimeProvider Clock => TimeProvider.System;

    public async Task InitializeAsync()
    {
        // MLOPS_TEST_REDIS points the same tests at a real Redis (CI's compatibility run).
        var storeEndpoint = Environment.GetEnvironmentVariable("MLOPS_TEST_REDIS");
        if (string.IsNullOrWhiteSpace(storeEndpoint))
        {
            _garnet = EmbeddedGarnetServer.Start(
                new EmbeddedGarnetOptions { Port = FreePort(), DataDirectory = _dataDirectory, Memory = "64m" },
                NullLoggerFactory.Instance);
            storeEndpoint = _garnet.Endpoint;
        }

        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(Clock);
            silo.AddRedisGrainStorage(GrainStorageNames.Models, options =>
                options.ConfigurationOptions = ConfigurationOptions.Parse(storeEndpoint));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The same cluster on a clock the test moves, for behaviour that waits hours (schedules, cool-downs).</summary>
public sealed class FakeClockClusterFixture : ClusterFixture
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Clock => Time;
}
