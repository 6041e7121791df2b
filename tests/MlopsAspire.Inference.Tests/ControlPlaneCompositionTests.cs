using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Protocol;

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
        Assert.Contains(hostedServices, service => service is Monitoring.StatisticsPublisher);

        // The routing table decides what is served: the repository extension is not claimed and load is refused.
        Assert.Equal(["model_configuration", "statistics", "binary_tensor_data"], app.Services.GetRequiredService<ServerIdentity>().Extensions);
        var control = app.Services.GetRequiredService<IModelRepositoryControl>();
        var refused = await Assert.ThrowsAsync<ModelControlRefusedException>(() => control.LoadAsync("fraud", CancellationToken.None));
        Assert.Contains("control plane's routing table", refused.Message);
        Assert.Equal(
            Grpc.Core.StatusCode.FailedPrecondition,
            app.Services.GetRequiredService<ProtocolErrors>().Translate(refused, "RepositoryModelLoad").Code);
    }
}
