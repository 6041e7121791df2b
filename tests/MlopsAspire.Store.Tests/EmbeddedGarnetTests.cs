using MlopsAspire.Artifacts;

namespace MlopsAspire.Store.Tests;

[Collection(StoreCollection.Name)]
public sealed class EmbeddedGarnetTests(StoreFixture fixture)
{
    [Fact]
    public async Task Lua_scripts_run_because_orleans_redis_providers_depend_on_eval()
    {
        var key = StoreFixture.NewKeyPrefix() + "counter";
        var db = fixture.Redis.GetDatabase();

        var result = await db.ScriptEvaluateAsync(
            "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[1], 2)",
            [key], [40]);

        Assert.Equal(42, (long)result);
        Assert.Equal(42, (long)await db.StringGetAsync(key));
    }

    [Fact]
    public void Options_come_from_environment_and_always_enable_lua_aof_and_recovery()
    {
        var environment = new Dictionary<string, string>
        {
            [EmbeddedGarnetOptions.PortVariable] = "7001",
            [EmbeddedGarnetOptions.BindVariable] = "0.0.0.0",
            [EmbeddedGarnetOptions.DataDirectoryVariable] = "/var/lib/mlops/garnet",
        };

        var options = EmbeddedGarnetOptions.FromEnvironment(name => environment.GetValueOrDefault(name));
        var arguments = options.ToGarnetArguments();

        Assert.Equal(7001, options.Port);
        Assert.Equal("0.0.0.0", options.BindAddress);
        Assert.Equal("/var/lib/mlops/garnet", options.DataDirectory);
        Assert.Contains("--lua", arguments);
        Assert.Contains("--aof", arguments);
        Assert.Contains("--recover", arguments);
        Assert.Equal("7001", arguments[Array.IndexOf(arguments, "--port") + 1]);
        Assert.Equal("0.0.0.0", arguments[Array.IndexOf(arguments, "--bind") + 1]);
    }

    [Fact]
    public void Defaults_are_loopback_port_6379_and_a_data_folder_under_the_working_directory()
    {
        var options = EmbeddedGarnetOptions.FromEnvironment(_ => null);

        Assert.Equal(6379, options.Port);
        Assert.Equal("127.0.0.1", options.BindAddress);
        Assert.Equal(Path.GetFullPath(".data/garnet"), options.DataDirectory);
    }

    [Fact]
    public void A_malformed_port_is_reported_by_variable_name()
    {
        var error = Assert.Throws<FormatException>(() =>
            EmbeddedGarnetOptions.FromEnvironment(name => name == EmbeddedGarnetOptions.PortVariable ? "http" : null));

        Assert.Contains(EmbeddedGarnetOptions.PortVariable, error.Message);
    }

    [Fact]
    public async Task Keys_and_artifacts_survive_a_restart_of_the_embedded_server()
    {
        if (!fixture.IsEmbedded)
            return; // Persistence is Garnet's job here; an external server brings its own.

        var dataDirectory = StoreFixture.CreateTemporaryDirectory();
        try
        {
            var content = TestData.Bytes((3 << 20) + 17, seed: 11);
            ArtifactDescriptor descriptor;
            await using (var server = StoreFixture.StartEmbedded(dataDirectory))
            {
                await using var redis = await StoreFixture.ConnectAsync(server.Endpoint);
                await redis.GetDatabase().StringSetAsync("plain", "value");
                descriptor = await new ArtifactStore(redis).PutAsync(content);
            }

            await using (var restarted = StoreFixture.StartEmbedded(dataDirectory))
            {
                await using var redis = await StoreFixture.ConnectAsync(restarted.Endpoint);
                Assert.Equal("value", (string?)await redis.GetDatabase().StringGetAsync("plain"));
                Assert.Equal(content, await new ArtifactStore(redis).ReadAllAsync(descriptor.Sha256));
            }
        }
        finally
        {
            StoreFixture.DeleteDirectory(dataDirectory);
        }
    }

    [Fact]
    public async Task Asked_to_stop_the_store_executable_serves_its_clients_until_they_have_left()
    {
        if (!fixture.IsEmbedded || !OperatingSystem.IsLinux())
            return;

        var dataDirectory = StoreFixture.CreateTemporaryDirectory();
        var port = StoreFixture.FreeLoopbackPort();
        try
        {
            // A grace far longer than the test: only the client leaving can end the wait.
            using (var store = await StoreProcess.StartAsync(port, dataDirectory, StoreProcess.Password, shutdownGrace: TimeSpan.FromMinutes(10)))
            {
                var redis = await StoreFixture.ConnectAsync($"127.0.0.1:{port},password={StoreProcess.Password}");
                var db = redis.GetDatabase();
                await db.StringSetAsync("before-sigterm", "1");

                var waiting = store.WaitForOutputAsync("Asked to stop: serving until");
                await store.SignalTerminateAsync();
                await waiting;

                // A control plane still writing its grains' state as it shuts down is served, and its writes are kept.
                await db.StringSetAsync("after-sigterm", "2");
                Assert.False(store.HasExited);

                await redis.DisposeAsync();
                Assert.Equal(0, await store.WaitForExitAsync());
            }

            using (var restarted = await StoreProcess.StartAsync(port, dataDirectory, StoreProcess.Password))
            {
                await using var redis = await StoreFixture.ConnectAsync($"127.0.0.1:{port},password={StoreProcess.Password}");
                var db = redis.GetDatabase();
                Assert.Equal("1", (string?)await db.StringGetAsync("before-sigterm"));
                Assert.Equal("2", (string?)await db.StringGetAsync("after-sigterm"));
                await redis.DisposeAsync();
                Assert.Equal(0, await restarted.TerminateAsync());
            }
        }
        finally
        {
            StoreFixture.DeleteDirectory(dataDirectory);
        }
    }

    [Fact]
    public void The_connections_are_counted_from_a_client_list_reply()
    {
        Assert.Equal(2, EmbeddedGarnetServer.CountClients(
            "id=3 addr=127.0.0.1:56942 laddr=127.0.0.1:16399 age=0 user=default flags=N db=0 resp=2\nid=4 addr=127.0.0.1:56950 laddr=127.0.0.1:16399 age=1\n"));
        Assert.Equal(0, EmbeddedGarnetServer.CountClients(string.Empty));
    }

    [Fact]
    public async Task The_store_executable_keeps_keys_after_sigterm_and_after_a_hard_kill()
    {
        if (!fixture.IsEmbedded || !OperatingSystem.IsLinux())
            return;

        var dataDirectory = StoreFixture.CreateTemporaryDirectory();
        var port = StoreFixture.FreeLoopbackPort();
        try
        {
            using (var first = await StoreProcess.StartAsync(port, dataDirectory, StoreProcess.Password))
            {
                await using var redis = await StoreFixture.ConnectAsync($"127.0.0.1:{port},password={StoreProcess.Password}");
                await redis.GetDatabase().StringSetAsync("before-sigterm", "1");
                Assert.Equal(0, await first.TerminateAsync());
            }

            using (var second = await StoreProcess.StartAsync(port, dataDirectory, StoreProcess.Password))
            {
                await using var redis = await StoreFixture.ConnectAsync($"127.0.0.1:{port},password={StoreProcess.Password}");
                var db = redis.GetDatabase();
                Assert.Equal("1", (string?)await db.StringGetAsync("before-sigterm"));
                await db.StringSetAsync("before-kill", "2");
                // The store commits the AOF after every write without making the client wait for the disk; wait for
                // that commit here, or a kill racing it would lose the write by design.
                await db.ExecuteAsync("COMMITAOF");
                // No checkpoint, no flush on the way out: only the AOF can bring this key back.
                second.Kill();
            }

            using (var third = await StoreProcess.StartAsync(port, dataDirectory, StoreProcess.Password))
            {
                await using var redis = await StoreFixture.ConnectAsync($"127.0.0.1:{port},password={StoreProcess.Password}");
                var db = redis.GetDatabase();
                Assert.Equal("1", (string?)await db.StringGetAsync("before-sigterm"));
                Assert.Equal("2", (string?)await db.StringGetAsync("before-kill"));
                Assert.Equal(0, await third.TerminateAsync());
            }
        }
        finally
        {
            StoreFixture.DeleteDirectory(dataDirectory);
        }
    }
}
