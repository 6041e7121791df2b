using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Starts the real AppHost (embedded Garnet, Orleans control plane, two inference replicas) once
/// for the test class, on a fresh data folder, and waits until the replicas report ready.
/// </summary>
public class PlatformFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    /// <summary>Management API keys the platform is started with (the AppHost's secret parameters).</summary>
    public const string ReaderKey = "e2e-reader-key-0123456789abcdef0123";
    public const string OperatorKey = "e2e-operator-key-0123456789abcdef01";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "mlops-e2e-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public GrpcChannel InferenceChannel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Inference { get; private set; } = null!;

    /// <summary>AppHost arguments beyond the common ones (accelerated monitoring, say).</summary>
    protected virtual IReadOnlyList<string> ExtraArguments => [];

    /// <summary>
    /// Whether the Aspire dashboard and the AppHost's resource service run, as under `dotnet run` (with the AppHost's
    /// default launch profile); off by default, since they cost a process and no test but the security ones reads them.
    /// </summary>
    protected virtual bool WithDashboard => false;

    public virtual async Task InitializeAsync()
    {
        App = await StartAsync(DataDirectory, ExtraArguments, WithDashboard);
        InferenceChannel = CreateInferenceChannel(App);
        Inference = new GRPCInferenceService.GRPCInferenceServiceClient(InferenceChannel);
    }

    public static async Task<DistributedApplication> StartAsync(
        string dataDirectory, IReadOnlyList<string>? extraArguments = null, bool withDashboard = false)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MlopsAspire_AppHost>(
            [
                "--DcpPublisher:WaitForResourceCleanup=false",
                $"--Store:DataDirectory={dataDirectory}",
                // Orchestrator-chosen ports: a developer's running platform keeps 8000/8001.
                "--Inference:HttpPort=0",
                "--Inference:GrpcPort=0",
                "--ControlPlane:GrpcPort=0",
                "--ControlPlane:HttpPort=0",
                $"--Parameters:mlops-reader-key={ReaderKey}",
                $"--Parameters:mlops-operator-key={OperatorKey}",
                "--Parameters:mlops-admin-key=e2e-admin-key-0123456789abcdef0123",
                "--Parameters:mlops-training-key=e2e-training-key-0123456789abcdef01",
                // Given rather than generated, so no test run writes a store password into the developer's user secrets.
                "--Parameters:store-password=e2e-store-password-0123456789abcdef",
                "--Training:HttpPort=0",
                // The console only reads the management API, which these tests call directly; it would only add a process
                // (the dashboard platform turns it on for the browser tests).
                "--Console:Enabled=false",
                .. extraArguments ?? [],
            ],
            (options, _) => options.DisableDashboard = !withDashboard,
            timeout.Token);
        builder.Services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            LogFileProvider.AddIfRequested(logging);
        });

        var app = await builder.BuildAsync(timeout.Token).WaitAsync(timeout.Token);
        try
        {
            await app.StartAsync(timeout.Token).WaitAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("control-plane", timeout.Token).WaitAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("inference", timeout.Token).WaitAsync(timeout.Token);
            return app;
        }
        catch
        {
            // A platform that did not come up in time still runs its processes: stop them, or they slow down every
            // platform the following test classes start.
            await app.DisposeAsync();
            throw;
        }
    }

    public static GrpcChannel CreateInferenceChannel(DistributedApplication app) =>
        GrpcChannel.ForAddress(app.GetEndpoint("inference", "grpc"), new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });

    /// <summary>A channel to a silo's management and monitoring API (the first silo's by default) that sends <paramref name="apiKey"/>.</summary>
    public Grpc.Core.CallInvoker ControlPlane(string apiKey, string silo = "control-plane") =>
        GrpcChannel.ForAddress(App.GetEndpoint(silo, "grpc")).CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {apiKey}");
            return metadata;
        });

    public virtual async Task DisposeAsync()
    {
        InferenceChannel?.Dispose();
        IReadOnlyList<System.Diagnostics.Process> processes = [];
        if (App is not null)
        {
            processes = await PlatformProcesses.OfAsync(App);
            await App.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await App.DisposeAsync();
        }

        await DataFolder.DeleteAsync(DataDirectory, processes);
    }
}
