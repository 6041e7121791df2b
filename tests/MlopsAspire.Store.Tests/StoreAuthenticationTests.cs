using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace MlopsAspire.Store.Tests;

/// <summary>
/// The store as an attacker on the same machine meets it: without the password nothing is readable or writable;
/// with the connection string's password everything the platform needs works, Lua included. These test the embedded
/// store itself, never the server the store tests are pointed at, so the Redis compatibility run leaves them out.
/// </summary>
[Trait(StoreFixture.ServerTrait, StoreFixture.EmbeddedOnly)]
public sealed class StoreAuthenticationTests : IAsyncLifetime
{
    private const string Password = "store-auth-tests-0123456789abcdefgh";

    private readonly string dataDirectory = StoreFixture.CreateTemporaryDirectory();
    private EmbeddedGarnetServer server = null!;

    public Task InitializeAsync()
    {
        server = EmbeddedGarnetServer.Start(
            new EmbeddedGarnetOptions { Port = StoreFixture.FreeLoopbackPort(), DataDirectory = dataDirectory, Password = Password },
            NullLoggerFactory.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        StoreFixture.DeleteDirectory(dataDirectory);
    }

    [Fact]
    public async Task A_client_without_the_password_gets_NOAUTH_for_every_command()
    {
        using var client = await RespClient.ConnectAsync(server.Endpoint);

        Assert.StartsWith("-NOAUTH", await client.SendAsync("PING"));
        Assert.StartsWith("-NOAUTH", await client.SendAsync("SET", "planted", "by-an-attacker"));
        Assert.StartsWith("-NOAUTH", await client.SendAsync("GET", "planted"));
        Assert.StartsWith("-NOAUTH", await client.SendAsync("KEYS", "*"));
        Assert.StartsWith("-NOAUTH", await client.SendAsync("EVAL", "return redis.call('KEYS', '*')", "0"));

        Assert.StartsWith("-", await client.SendAsync("AUTH", "guessed-password"));
        Assert.StartsWith("-NOAUTH", await client.SendAsync("GET", "planted"));

        await using var redis = await StoreFixture.ConnectAsync($"{server.Endpoint},password={Password}");
        Assert.False(await redis.GetDatabase().KeyExistsAsync("planted"));
    }

    [Fact]
    public async Task The_connection_strings_password_opens_the_store_for_commands_and_the_lua_that_orleans_needs()
    {
        await using var redis = await StoreFixture.ConnectAsync($"{server.Endpoint},password={Password}");
        var db = redis.GetDatabase();
        var key = StoreFixture.NewKeyPrefix() + "counter";

        await db.StringSetAsync(key, 40);
        var result = await db.ScriptEvaluateAsync("return redis.call('INCRBY', KEYS[1], ARGV[1])", [key], [2]);

        Assert.Equal(42, (long)result);
        Assert.Equal(42, (long)await db.StringGetAsync(key));
    }

    [Fact]
    public async Task A_wrong_password_in_the_connection_string_gets_nothing()
    {
        var options = ConfigurationOptions.Parse($"{server.Endpoint},password=not-the-password,connectTimeout=2000");
        options.AbortOnConnectFail = false;
        // A command on a connection that never authenticated fails at once, instead of waiting its timeout in the backlog.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);

        Assert.False(redis.IsConnected);
        await Assert.ThrowsAnyAsync<RedisException>(() => redis.GetDatabase().StringGetAsync("anything"));
    }

    [Fact]
    public void The_password_comes_from_GARNET_PASSWORD_and_never_appears_in_the_garnet_arguments()
    {
        var options = EmbeddedGarnetOptions.FromEnvironment(name => name == EmbeddedGarnetOptions.PasswordVariable ? Password : null);

        Assert.Equal(Password, options.Password);
        Assert.DoesNotContain(options.ToGarnetArguments(), argument => argument.Contains(Password, StringComparison.Ordinal));
        Assert.DoesNotContain("--password", options.ToGarnetArguments());
    }

    [Fact]
    public async Task The_store_executable_refuses_to_start_without_a_password()
    {
        var port = StoreFixture.FreeLoopbackPort();
        var directory = StoreFixture.CreateTemporaryDirectory();
        try
        {
            var (exitCode, error) = await StoreProcess.RunToExitAsync(port, directory, password: null);

            Assert.NotEqual(0, exitCode);
            Assert.Contains(EmbeddedGarnetOptions.PasswordVariable, error);
        }
        finally
        {
            StoreFixture.DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task The_store_executable_asks_for_its_password_and_still_checkpoints_on_sigterm()
    {
        if (!OperatingSystem.IsLinux())
            return;

        var port = StoreFixture.FreeLoopbackPort();
        var directory = StoreFixture.CreateTemporaryDirectory();
        try
        {
            using (var store = await StoreProcess.StartAsync(port, directory, StoreProcess.Password))
            {
                using (var client = await RespClient.ConnectAsync($"127.0.0.1:{port}"))
                    Assert.StartsWith("-NOAUTH", await client.SendAsync("GET", "kept"));

                await using var redis = await StoreFixture.ConnectAsync($"127.0.0.1:{port},password={StoreProcess.Password}");
                await redis.GetDatabase().StringSetAsync("kept", "1");
                Assert.Equal(0, await store.TerminateAsync());
            }

            // The shutdown checkpoint is taken over an authenticated loopback client (SAVE); without it only the AOF is left.
            Assert.Contains(
                Directory.EnumerateDirectories(Path.Combine(directory, "checkpoints"), "*", SearchOption.AllDirectories),
                path => Path.GetFileName(Path.GetDirectoryName(path)) == "cpr-checkpoints");
        }
        finally
        {
            StoreFixture.DeleteDirectory(directory);
        }
    }

    /// <summary>A bare RESP connection: what any local process can open to the store's port.</summary>
    private sealed class RespClient : IDisposable
    {
        private readonly TcpClient client;
        private readonly NetworkStream stream;

        private RespClient(TcpClient client)
        {
            this.client = client;
            stream = client.GetStream();
        }

        public static async Task<RespClient> ConnectAsync(string endpoint)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPEndPoint.Parse(endpoint));
            return new RespClient(client);
        }

        /// <summary>Sends one command and returns the first line of its reply.</summary>
        public async Task<string> SendAsync(params string[] command)
        {
            var text = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
            foreach (var part in command)
                text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));

            var reply = new StringBuilder();
            var buffer = new byte[4096];
            while (!reply.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                if (read == 0)
                    break;
                reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
            return reply.ToString().Split("\r\n")[0];
        }

        public void Dispose()
        {
            stream.Dispose();
            client.Dispose();
        }
    }
}
