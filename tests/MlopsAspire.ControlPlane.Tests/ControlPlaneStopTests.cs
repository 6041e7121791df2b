using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.V1;
using MlopsAspire.ServiceDefaults;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// The control plane stops when told to, whoever else is still connected: when the whole platform stops, the
/// collector of its telemetry (the dashboard) goes at the same moment, and management clients may be watching
/// (the server waits for open calls before its silo stops).
/// </summary>
public sealed class ControlPlaneStopTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stop_gives_up_on_telemetry_a_collector_never_answers()
    {
        await using var collector = SilentCollector.Start();
        var host = new ControlPlaneHost(
        [
            $"--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{collector.Port}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
            // As Aspire runs every service: failed exports are retried until the export's timeout, here 10 minutes.
            "--OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory",
            "--OTEL_EXPORTER_OTLP_TIMEOUT=600000",
            "--OTEL_METRIC_EXPORT_INTERVAL=200",
        ], builder => builder.Logging.AddFakeLogging());
        await host.InitializeAsync();
        var logs = host.Services.GetFakeLogCollector();

        // An export is under way and will not be answered.
        await collector.Connected.WaitAsync(Guard);
        await host.DisposeAsync().WaitAsync(Guard);

        var undelivered = Assert.Single(logs.GetSnapshot(), record => record.Category == typeof(TelemetryShutdown).FullName);
        Assert.Equal(LogLevel.Warning, undelivered.Level);
        Assert.Contains("stopping without it", undelivered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stop_ends_the_streams_of_clients_watching_a_model()
    {
        var host = new ControlPlaneHost();
        await host.InitializeAsync();
        var name = ControlPlaneHost.UniqueModelName();
        await host.Client(ControlPlaneHost.OperatorKey).RegisterAsync(name, TestOnnxModels.AddBias(1f));

        // A watcher of its own, whose channel lives on after the host has let go of its own.
        using var channel = GrpcChannel.ForAddress(host.Address);
        var watcher = new ModelManagement.ModelManagementClient(channel);
        using var watch = watcher.WatchModel(new WatchModelRequest { Name = name }, new Metadata { { "authorization", $"Bearer {ControlPlaneHost.ReaderKey}" } });
        Assert.True(await watch.ResponseStream.MoveNext());

        var stopping = host.DisposeAsync();
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext().WaitAsync(Guard));
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        await stopping.WaitAsync(Guard);
    }

    /// <summary>Accepts connections and never answers, like a collector that hangs.</summary>
    private sealed class SilentCollector : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _connections = [];
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _accepting = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>Completes when the first connection has been accepted.</summary>
        public Task Connected => _connected.Task;

        public static SilentCollector Start()
        {
            var collector = new SilentCollector();
            collector._listener.Start();
            collector._accepting = collector.AcceptAsync();
            return collector;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var connection = await _listener.AcceptSocketAsync();
                    lock (_connections)
                    {
                        _connections.Add(connection);
                    }

                    _connected.TrySetResult();
                }
            }
            catch (SocketException)
            {
                // Stopped.
            }
            catch (ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
            lock (_connections)
            {
                _connections.ForEach(connection => connection.Dispose());
            }
        }
    }
}
