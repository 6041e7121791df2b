using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace MlopsAspire.Store.Tests;

/// <summary>
/// One server for all store tests: the Redis named by MLOPS_TEST_REDIS (e.g. "127.0.0.1:6390"), or an
/// embedded Garnet on a free loopback port with a throwaway data folder. Tests isolate themselves by key prefix.
/// </summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public const string ExternalServerVariable = "MLOPS_TEST_REDIS";

    /// <summary>
    /// Trait of the tests that start an embedded store of their own and never use the one named by
    /// <see cref="ExternalServerVariable"/>: the Redis compatibility run filters them out (<c>Server!=embedded-only</c>).
    /// </summary>
    public const string ServerTrait = "Server";

    public const string EmbeddedOnly = "embedded-only";

    private EmbeddedGarnetServer? embedded;
    private string? dataDirectory;

    public IConnectionMultiplexer Redis { get; private set; } = null!;

    /// <summary>False when the tests run against an external server (Redis compatibility run).</summary>
    public bool IsEmbedded => embedded is not null;

    public static string? ExternalServer => Environment.GetEnvironmentVariable(ExternalServerVariable) is { Length: > 0 } value ? value : null;

    public async Task InitializeAsync()
    {
        var endpoint = ExternalServer;
        if (endpoint is null)
        {
            dataDirectory = CreateTemporaryDirectory();
            embedded = StartEmbedded(dataDirectory);
            endpoint = embedded.Endpoint;
        }
        Redis = await ConnectAsync(endpoint);
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null)
            await Redis.DisposeAsync();
        if (embedded is not null)
            await embedded.DisposeAsync();
        DeleteDirectory(dataDirectory);
    }

    public static string NewKeyPrefix() => $"test:{Guid.NewGuid():N}:";

    /// <summary>Every key under <paramref name="prefix"/>, across the whole server.</summary>
    public async Task<List<string>> KeysUnderAsync(string prefix)
    {
        var keys = new List<string>();
        foreach (var server in Redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
                keys.Add(key.ToString());
        }
        return keys;
    }

    public static EmbeddedGarnetServer StartEmbedded(string dataDirectory, int? port = null) =>
        EmbeddedGarnetServer.Start(
            new EmbeddedGarnetOptions { Port = port ?? FreeLoopbackPort(), DataDirectory = dataDirectory },
            NullLoggerFactory.Instance);

    /// <summary>Connects with a StackExchange.Redis connection string: "host:port", plus ",password=..." if it has one.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 10_000;
        options.SyncTimeout = 30_000;
        options.AsyncTimeout = 30_000;
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string CreateTemporaryDirectory() =>
        Directory.CreateTempSubdirectory("mlops-store-tests-").FullName;

    public static void DeleteDirectory(string? path)
    {
        if (path is null || !Directory.Exists(path))
            return;
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A file handle closing late only leaves a temp folder behind.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StoreCollection : ICollectionFixture<StoreFixture>
{
    public const string Name = "store";
}
