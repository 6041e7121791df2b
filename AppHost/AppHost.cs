using Microsoft.Extensions.Configuration;
using MlopsAspire.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var store = builder.AddStore();

var orleans = builder.AddOrleans("mlops")
    .WithClusterId("mlops")
    .WithServiceId("mlops")
    .WithClustering(store.ConnectionString)
    .WithGrainStorage("Default", store.ConnectionString);

var controlPlane = builder.AddProject<Projects.MlopsAspire_ControlPlane>("control-plane")
    .WithReference(orleans)
    .WithReference(store.ConnectionString)
    .WithHttpHealthCheck("/health");
controlPlane.WithUrl($"{controlPlane.GetEndpoint("http")}/dashboard", "Orleans dashboard");

var inference = builder.AddProject<Projects.MlopsAspire_Inference>("inference")
    .WithReplicas(builder.Configuration.GetValue("Inference:Replicas", 2))
    .WithReference(orleans.AsClient())
    .WithReference(store.ConnectionString)
    // Stable addresses like Triton's; with several replicas the orchestrator's proxy spreads connections over them.
    // Port 0 lets the orchestrator choose (tests that run several platforms side by side).
    .WithEndpoint("http", endpoint => endpoint.Port = StablePort("Inference:HttpPort", 8000))
    .WithEndpoint("grpc", endpoint => endpoint.Port = StablePort("Inference:GrpcPort", 8001))
    .WithHttpHealthCheck("/health")
    .WaitFor(controlPlane);

if (store.Server is { } server)
{
    controlPlane.WaitFor(server);
    inference.WaitFor(server);
}

builder.Build().Run();

int? StablePort(string key, int defaultPort) =>
    builder.Configuration.GetValue(key, defaultPort) is var port && port > 0 ? port : null;
