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
public sealed class EmbeddedGarnetServer : IAsyncDisposable
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

        logger.LogInformation(
            "Garnet listening on {Address}:{Port}; {Authentication}; data {DataDirectory}; lua on; aof on (commit every {AofCommitMs} ms), checkpoint every {CheckpointSeconds} s",
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
            logger.LogWarning(ex, "Checkpoint on shutdown failed; the AOF still holds every write");
        }

        try
        {
            await server.Store.CommitAOFAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            server.Dispose(deleteDir: false);
            logger.LogInformation("Garnet stopped; data kept in {DataDirectory}", Options.DataDirectory);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Checkpoints are only reachable through the protocol (SAVE), so ask over a loopback client.</summary>
    private async Task TakeCheckpointAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownCheckpointTimeout);

        var endpoint = new IPEndPoint(IPAddress.Parse(ClientAddress(Options.BindAddress)), Options.Port);
        using var client = new GarnetClient(endpoint, authPassword: Options.Password);
        await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        var reply = await client.ExecuteForStringResultAsync("SAVE").WaitAsync(timeout.Token).ConfigureAwait(false);
        logger.LogInformation("Checkpoint on shutdown: {Reply}", reply);
    }

    /// <summary>A wildcard bind is reached through loopback; a specific address through itself.</summary>
    private static string ClientAddress(string bindAddress)
    {
        var first = bindAddress.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "127.0.0.1";
        return first is "0.0.0.0" or "*" ? "127.0.0.1" : first is "::" ? "::1" : first;
    }
}
