using Microsoft.Extensions.Configuration;
using MlopsAspire.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var store = builder.AddStore();

var orleans = builder.AddOrleans("mlops")
    .WithClusterId("mlops")
    .WithServiceId("mlops")
    .WithClustering(store.ConnectionString)
    .WithGrainStorage("Default", store.ConnectionString);

// Management API keys, one per role. Secret parameters with generated values: `dotnet run` needs no setup, the
// values persist in the AppHost's user secrets (Parameters:mlops-*-key) and the dashboard shows them on demand.
var readerKey = ManagementKey("mlops-reader-key");
var operatorKey = ManagementKey("mlops-operator-key");
var adminKey = ManagementKey("mlops-admin-key");

var controlPlane = builder.AddProject<Projects.MlopsAspire_ControlPlane>("control-plane")
    .WithReference(orleans)
    .WithReference(store.ConnectionString)
    // The management API (gRPC mlops.v1) on a stable address for the CLI, like the inference endpoints.
    .WithEndpoint("grpc", endpoint => endpoint.Port = StablePort("ControlPlane:GrpcPort", 8081))
    .WithEnvironment("Management__ApiKeys__Reader__reader", readerKey)
    .WithEnvironment("Management__ApiKeys__Operator__operator", operatorKey)
    .WithEnvironment("Management__ApiKeys__Admin__admin", adminKey)
    .WithHttpHealthCheck("/health");
controlPlane.WithUrl($"{controlPlane.GetEndpoint("http")}/dashboard", "Orleans dashboard");
controlPlane.WithUrlForEndpoint("grpc", url => url.DisplayText = "Management API (gRPC)");

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

IResourceBuilder<ParameterResource> ManagementKey(string name) =>
    builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

int? StablePort(string key, int defaultPort) =>
    builder.Configuration.GetValue(key, defaultPort) is var port && port > 0 ? port : null;
