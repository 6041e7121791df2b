using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Inference;
using Microsoft.AspNetCore.Builder;
using MlopsAspire.Training;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// Starts the real inference host on loopback sockets (HTTP/1.1 and HTTP/2 endpoints on free ports) over a
/// temporary model folder, and connects a gRPC client generated from the protocol's .proto.
/// </summary>
public abstract class InferenceServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private GrpcChannel? _channel;

    public string ModelRoot { get; } = Path.Combine(Path.GetTempPath(), "mlopsaspire-inference-tests", Guid.NewGuid().ToString("N"));

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The running host's services.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("the server has not started");

    /// <summary>Further command-line settings for the server.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Writes the models the server should find under <see cref="ModelRoot"/>.</summary>
    protected abstract void WriteModels();

    protected void WriteModel(string name, string version, byte[] onnx)
    {
        var folder = Path.Combine(ModelRoot, name, version);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        if (name == DemoModels.FraudModelName && !File.Exists(Path.Combine(ModelRoot, name, "config.json")))
        {
            // The demo fraud model's contract, as the platform registers it (what monitoring reads from it), serving
            // every version in the folder.
            var config = System.Text.Json.Nodes.JsonNode.Parse(DemoModels.FraudConfigJson)!.AsObject();
            config["version_policy"] = new System.Text.Json.Nodes.JsonObject { ["all"] = true };
            File.WriteAllText(Path.Combine(ModelRoot, name, "config.json"), config.ToJsonString());
        }
    }

    /// <summary>Writes the model's <c>config.json</c> (beside its version folders).</summary>
    protected void WriteConfig(string name, string json)
    {
        var folder = Path.Combine(ModelRoot, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
    }

    public async Task InitializeAsync()
    {
        WriteModels();
        // Free ports are picked before they are bound, and with other test assemblies (whole platforms among them)
        // running beside this one, a port is now and then taken in between: pick every port again rather than lose
        // the whole class.
        int grpcPort, httpPort;
        for (var attempt = 1; ; attempt++)
        {
            httpPort = FreePort();
            grpcPort = FreePort();
            PickPorts();
            string[] args =
            [
                $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{httpPort}",
                $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
                $"--Inference:ModelRepository={ModelRoot}",
                "--Inference:IntraOpThreads=1",
                "--Logging:LogLevel:Default=Warning",
                .. ExtraArguments,
            ];

            _app = InferenceServer.Build(InferenceServer.CreateBuilder(args));
            try
            {
                await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
                break;
            }
            catch (Exception exception) when (attempt < 4 && IsAddressInUse(exception))
            {
                await _app.DisposeAsync();
                _app = null;
            }
        }

        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null, // let the server enforce its own limit
        });
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!(await Client.ServerReadyAsync(new ServerReadyRequest())).Ready)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the inference server did not become ready within 120 s");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(ModelRoot, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>Picks the ports of <see cref="ExtraArguments"/> (again, when a start found one taken).</summary>
    protected virtual void PickPorts()
    {
    }

    private static bool IsAddressInUse(Exception exception) =>
        exception is Microsoft.AspNetCore.Connections.AddressInUseException
        || exception is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || (exception.InnerException is { } inner && IsAddressInUse(inner));

    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
