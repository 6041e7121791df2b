using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Mlops.V1;
using MlopsAspire.EndToEnd.Tests.AspireResourceService;
using MlopsAspire.Training;
using StackExchange.Redis;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// The platform as `dotnet run --project AppHost` starts it: the first launch profile of the AppHost (which
/// Aspire.Hosting.Testing applies, as `dotnet run` does), with the dashboard and its resource service running, and the
/// operator console. Monitoring judges 5-second windows, so the console's drift heatmap fills within a test.
/// </summary>
public sealed class DashboardPlatformFixture : PlatformFixture
{
    public const string ResourceServiceUrlVariable = "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL";

    /// <summary>A management key of one's own naming, given to the AppHost beside the generated ones.</summary>
    public const string PersonalReaderKey = "e2e-alice-reader-key-0123456789abcdef";

    /// <summary>The inference key given to the AppHost: with it, the replicas admit no caller without a key.</summary>
    public const string InferenceKey = "e2e-checkout-inference-key-0123456789";

    protected override IReadOnlyList<string> ExtraArguments =>
    [
        "--Training:Enabled=false",
        "--Inference:Replicas=1",
        $"--Management:ApiKeys:Reader:alice={PersonalReaderKey}",
        $"--Inference:ApiKeys:checkout={InferenceKey}",
        "--Console:Enabled=true",
        "--Console:HttpPort=0",
        "--Monitoring:Window=00:00:05",
        "--Monitoring:Grace=00:00:01",
    ];

    protected override bool WithDashboard => true;

    /// <summary>The environment the AppHost gave its dashboard: where the resource service is, how the dashboard calls it.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> DashboardEnvironmentAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var dashboard = await App.ResourceNotifications.WaitForResourceAsync(
            "aspire-dashboard",
            e => e.Snapshot.EnvironmentVariables.Any(variable => variable.Name == ResourceServiceUrlVariable),
            timeout.Token);
        return dashboard.Snapshot.EnvironmentVariables.ToDictionary(variable => variable.Name, variable => variable.Value);
    }
}

/// <summary>The test classes that share one platform as `dotnet run` starts it: starting one costs a minute.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardPlatformCollection : ICollectionFixture<DashboardPlatformFixture>
{
    public const string Name = "dashboard platform";
}

/// <summary>What a process on the same machine that holds no credential can get from a running platform: nothing secret.</summary>
[Collection(DashboardPlatformCollection.Name)]
public sealed class SecurityEndToEndTests(DashboardPlatformFixture platform)
{
    private const string ResourceServiceApiKeyHeader = "x-resource-service-api-key";

    [Fact]
    public async Task The_resource_service_refuses_a_caller_without_its_api_key()
    {
        var dashboard = await platform.DashboardEnvironmentAsync();
        using var channel = GrpcChannel.ForAddress(dashboard[DashboardPlatformFixture.ResourceServiceUrlVariable]!);
        var resourceService = new DashboardService.DashboardServiceClient(channel);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => FindResourceAsync(resourceService, [], _ => true));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var guessed = await Assert.ThrowsAsync<RpcException>(() =>
            FindResourceAsync(resourceService, [new(ResourceServiceApiKeyHeader, "guessed-key")], _ => true));
        Assert.Equal(StatusCode.Unauthenticated, guessed.StatusCode);

        // What the key protects: with it, the same call lists each resource's environment, management API keys included.
        Assert.Equal("ApiKey", dashboard["DASHBOARD__RESOURCESERVICECLIENT__AUTHMODE"]);
        var controlPlane = await FindResourceAsync(
            resourceService,
            [new(ResourceServiceApiKeyHeader, dashboard["DASHBOARD__RESOURCESERVICECLIENT__APIKEY"]!)],
            resource => resource.DisplayName == "control-plane" && resource.Environment.Count > 0);
        Assert.Contains(controlPlane.Environment, variable =>
            variable.Name == "Management__ApiKeys__Reader__reader" && variable.Value == PlatformFixture.ReaderKey);
    }

    [Fact]
    public async Task The_dashboard_sends_a_browser_without_its_token_to_the_login_page()
    {
        var dashboard = await platform.DashboardEnvironmentAsync();
        Assert.Equal("BrowserToken", dashboard["DASHBOARD__FRONTEND__AUTHMODE"]);

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = platform.App.GetEndpoint("aspire-dashboard", "http"),
        };
        using var anonymous = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/login", anonymous.Headers.Location?.ToString() ?? "", StringComparison.OrdinalIgnoreCase);

        using var withToken = await http.GetAsync($"/login?t={Uri.EscapeDataString(dashboard["DASHBOARD__FRONTEND__BROWSERTOKEN"]!)}");
        Assert.True(withToken.Headers.Contains("Set-Cookie"), $"The login URL answered {(int)withToken.StatusCode} without a session cookie.");
    }

    [Fact]
    public async Task The_store_refuses_a_client_without_the_password_and_listens_on_loopback_only()
    {
        var connectionString = await platform.App.GetConnectionStringAsync("store")
            ?? throw new InvalidOperationException("The AppHost has no 'store' connection string.");
        var options = ConfigurationOptions.Parse(connectionString);
        Assert.False(string.IsNullOrEmpty(options.Password), "The store's connection string carries no password.");
        var port = ((DnsEndPoint)Assert.Single(options.EndPoints)).Port;

        using (var bare = new TcpClient())
        {
            await bare.ConnectAsync(IPAddress.Loopback, port);
            var stream = bare.GetStream();
            await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray());
            var reply = new byte[256];
            var read = await stream.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("-NOAUTH", Encoding.ASCII.GetString(reply, 0, read));
        }

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(connectionString))
        {
            Assert.Equal("PONG", (string?)await redis.GetDatabase().ExecuteAsync("PING"));
        }

        // Reachable through loopback only: every other address of this machine refuses the store's port.
        foreach (var address in NonLoopbackAddresses())
        {
            using var remote = new TcpClient(address.AddressFamily);
            var refused = await Assert.ThrowsAsync<SocketException>(() => remote.ConnectAsync(address, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }

    [Fact]
    public async Task A_management_key_given_to_the_AppHost_under_ones_own_name_works_in_its_role_only()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(DashboardPlatformFixture.PersonalReaderKey));

        var models = await management.ListModelsAsync(new ListModelsRequest());
        Assert.Contains(models.Models, model => model.Name == DemoModels.FraudModelName);

        var promote = await Assert.ThrowsAsync<RpcException>(() =>
            management.PromoteAsync(new PromoteRequest { Name = DemoModels.FraudModelName, Version = "1" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, promote.StatusCode);
    }

    [Fact]
    public async Task Inference_keys_given_to_the_AppHost_guard_the_replicas()
    {
        using var http = new HttpClient { BaseAddress = platform.App.GetEndpoint("inference", "http") };

        using var anonymous = await http.SendAsync(FraudInferRequest(authorization: null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var admitted = await http.SendAsync(FraudInferRequest(DashboardPlatformFixture.InferenceKey));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Contains("Probability.output", await admitted.Content.ReadAsStringAsync());

        var grpc = await Assert.ThrowsAsync<RpcException>(() =>
            platform.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = DemoModels.FraudModelName }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
    }

    // README's REST example.
    private static HttpRequestMessage FraudInferRequest(string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{DemoModels.FraudModelName}/infer")
        {
            Content = new StringContent(
                """{"id":"txn-1","inputs":[{"name":"Features","datatype":"FP32","shape":[1,12],"data":[912.5,3,0.8,420,35,9,0,1,40,7.5,1,23]}],"outputs":[{"name":"Probability.output"}]}""",
                Encoding.UTF8,
                "application/json"),
        };
        if (authorization is not null)
            request.Headers.Authorization = new("Bearer", authorization);
        return request;
    }

    /// <summary>Watches the resource list (a first snapshot, then changes) until a resource matches.</summary>
    private static async Task<AspireResourceService.Resource> FindResourceAsync(
        DashboardService.DashboardServiceClient client, Metadata headers, Func<AspireResourceService.Resource, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var call = client.WatchResources(new WatchResourcesRequest(), headers, cancellationToken: timeout.Token);
        await foreach (var update in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            var resources = update.KindCase == WatchResourcesUpdate.KindOneofCase.InitialData
                ? update.InitialData.Resources
                : update.Changes.Value.Select(change => change.Upsert).OfType<AspireResourceService.Resource>();
            if (resources.FirstOrDefault(match) is { } found)
                return found;
        }
        throw new InvalidOperationException("The resource service ended the stream before listing the resource.");
    }

    private static IEnumerable<IPAddress> NonLoopbackAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(network => network.OperationalStatus == OperationalStatus.Up)
            .SelectMany(network => network.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .Where(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address));
}
