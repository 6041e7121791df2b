using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MlopsAspire.Inference.Tests;

public sealed class ControlPlaneCompositionTests
{
    [Fact]
    public async Task With_a_store_connection_string_models_come_from_the_routing_table_not_a_folder()
    {
        string[] args =
        [
            "--ConnectionStrings:store=127.0.0.1:1",
            "--Orleans:ClusterId=tests",
            "--Orleans:ServiceId=tests",
            "--Orleans:Clustering:ProviderType=Redis",
            "--Orleans:Clustering:ServiceKey=store",
            "--Inference:ModelRepository=/does/not/matter",
            "--Logging:LogLevel:Default=Warning",
        ];

        await using var app = InferenceServer.Build(InferenceServer.CreateBuilder(args));

        var hostedServices = app.Services.GetServices<IHostedService>().ToList();
        Assert.Contains(hostedServices, service => service is RoutingTableSync);
        Assert.DoesNotContain(hostedServices, service => service is LocalModelFolderLoader);
    }
}
