using System.Net;
using Garnet;
using Garnet.client;
using Garnet.server.Auth.Settings;
using Microsoft.Extensions.Logging;

namespace MlopsAspire.Store;

/// <summary>
/// A Garnet server running inside this process with the platform's persistence settings.
/// Used by the store executable and, on a free port with a temporary folder, by tests.
/// </summary>
public sealed partial class EmbeddedGarnetServer : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownCheckpointTimeout = TimeSpan.FromSeconds(30);

    private readonly GarnetServer server;
    private readonly ILogger logger;
    private int stopped;

    private EmbeddedGarnetServer(EmbeddedGarnetOptions options, GarnetServer server, ILogger logger)
    {
        Options = options;
        this.server = server;
        this.logger = logger;
    }

    public EmbeddedGarnetOptions Options { get; }

    /// <summary>Where a client on this machine reaches the server, e.g. "127.0.0.1:6379".</summary>
    public string Endpoint => $"{ClientAddress(Options.BindAddress)}:{Options.Port}";

    /// <summary>Creates the data folders, recovers what is on disk and starts listening.</summary>
    public static EmbeddedGarnetServer Start(EmbeddedGarnetOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        Directory.CreateDirectory(options.LogDirectory);
        Directory.CreateDirectory(options.CheckpointDirectory);

        var logger = loggerFactory.CreateLogger<EmbeddedGarnetServer>();
        // cleanupDir: false — disposing must never delete the data it exists to keep.
        // The password goes in as settings rather than as "--auth Password --password", so it is never part of an
        // argument list that Garnet or anyone else might print.
        var authentication = options.Password is { Length: > 0 } password ? new PasswordAuthenticationSettings(password) : null;
        var server = new GarnetServer(options.ToGarnetArguments(), loggerFactory, cleanupDir: false, authentication);
        try
        {
            server.Start();
        }
        catch
        {
            server.Dispose(deleteDir: false);
            throw;
        }

        LogListening(
            logger,
            options.BindAddress, options.Port, authentication is null ? "no password" : "password required",
            options.DataDirectory, options.AofCommitFrequencyMs, options.CheckpointFrequencySeconds);
        return new EmbeddedGarnetServer(options, server, logger);
    }

    /// <summary>
    /// Takes a checkpoint (so the next start replays little AOF), flushes the AOF, and stops
    /// listening. The data stays on disk either way; a failed checkpoint only costs replay time.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
            return;

        try
        {
            await TakeCheckpointAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCheckpointFailed(logger, ex);
        }

        try
        {
            await server.Store.CommitAOFAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            server.Dispose(deleteDir: false);
            LogStopped(logger, Options.DataDirectory);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// Keeps serving until every other client has disconnected, or <paramref name="grace"/> has passed, and returns
    /// how many were still connected. When the platform stops, every process is told at once; the control plane
    /// still writes the state its grains held in memory and records that its silo left. A store that stopped first
    /// would lose those writes and leave the silo listed as active for the next start to wait on.
    /// </summary>
    public async Task<int> WaitForClientsToLeaveAsync(TimeSpan grace, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var deadline = new CancellationTokenSource(grace, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var others = 0;
        var polls = 0;
        try
        {
            using var client = await ConnectAsync(linked.Token).ConfigureAwait(false);
            while (true)
            {
                // Garnet's INFO CLIENTS reports no connections unless metrics are sampled; CLIENT LIST always does.
                var list = await client.ExecuteForStringResultAsync("CLIENT", ["LIST"]).WaitAsync(linked.Token).ConfigureAwait(false);
                var first = polls++ == 0;
                // This connection is one of them.
                others = Math.Max(0, CountClients(list) - 1);
                if (others == 0)
                {
                    return 0;
                }

                if (first)
                {
                    LogWaitingForClients(logger, others, grace.TotalSeconds);
                }

                await Task.Delay(ClientPollInterval, time, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogClientsStillConnected(logger, others, grace.TotalSeconds);
            return others;
        }
    }

    private static readonly TimeSpan ClientPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Counts the connections in a CLIENT LIST reply: one line, starting "id=", per connection.</summary>
    internal static int CountClients(string clientList) =>
        clientList.Split('\n', StringSplitOptions.TrimEntries).Count(line => line.StartsWith("id=", StringComparison.Ordinal));

    /// <summary>Checkpoints are only reachable through the protocol (SAVE), so ask over a loopback client.</summary>
    private async Task TakeCheckpointAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownCheckpointTimeout);

        using var client = await ConnectAsync(timeout.Token).ConfigureAwait(false);
        var reply = await client.ExecuteForStringResultAsync("SAVE").WaitAsync(timeout.Token).ConfigureAwait(false);
        LogCheckpointTaken(logger, reply);
    }

    /// <summary>A client of this server, as the server's own maintenance (checkpoint, shutdown wait) talks to it.</summary>
    private async Task<GarnetClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(ClientAddress(Options.BindAddress)), Options.Port);
        var client = new GarnetClient(endpoint, authPassword: Options.Password);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A wildcard bind is reached through loopback; a specific address through itself.</summary>
    private static string ClientAddress(string bindAddress)
    {
        var first = bindAddress.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "127.0.0.1";
        return first is "0.0.0.0" or "*" ? "127.0.0.1" : first is "::" ? "::1" : first;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Garnet listening on {Address}:{Port}; {Authentication}; data {DataDirectory}; lua on; aof on (commit every {AofCommitMs} ms), checkpoint every {CheckpointSeconds} s")]
    private static partial void LogListening(ILogger logger, string address, int port, string authentication, string dataDirectory, int aofCommitMs, int checkpointSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint on shutdown failed; the AOF still holds every write")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Garnet stopped; data kept in {DataDirectory}")]
    private static partial void LogStopped(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked to stop: serving until {Clients} client(s) disconnect, for at most {Grace} s")]
    private static partial void LogWaitingForClients(ILogger logger, int clients, double grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping with {Clients} client(s) still connected after {Grace} s")]
    private static partial void LogClientsStillConnected(ILogger logger, int clients, double grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint on shutdown: {Reply}")]
    private static partial void LogCheckpointTaken(ILogger logger, string reply);
}
