using Microsoft.Extensions.Configuration;
using MlopsAspire.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
builder.WarnWhenDashboardIsAnonymous();
// How many silos, replicas and workers: --ControlPlane:Silos, --Inference:Replicas, --Training:Workers.
var topology = PlatformTopology.From(builder.Configuration);

var store = builder.AddStore();

var orleans = builder.AddOrleans("mlops")
    .WithClusterId("mlops")
    .WithServiceId("mlops")
    .WithClustering(store.ConnectionString)
    .WithGrainStorage("Default", store.ConnectionString)
    // Promotion automation outlives grain collection and restarts through reminders kept in the store.
    .WithReminders(store.ConnectionString);

// Management API keys, one per role, generated on first run and kept in the AppHost's user secrets.
var readerKey = builder.AddGeneratedSecret("mlops-reader-key");
var operatorKey = builder.AddGeneratedSecret("mlops-operator-key");
var adminKey = builder.AddGeneratedSecret("mlops-admin-key");
// The training worker registers candidates through the management API as an operator of its own name.
var trainingKey = builder.AddGeneratedSecret("mlops-training-key");

// Silos, each a process and a resource of its own: every one answers the management and monitoring API, silo n on
// the first silo's ports + 100·(n−1) (8181 and 8180 for the second).
var silos = Enumerable.Range(1, topology.Silos).Select(AddSilo).ToList();
var controlPlane = silos[0];

var inference = builder.AddProject<Projects.MlopsAspire_Inference>("inference")
    .WithReplicas(topology.InferenceReplicas)
    .WithReference(orleans.AsClient())
    .WithReference(store.ConnectionString)
    // Stable addresses like Triton's; with several replicas the orchestrator's proxy spreads connections over them.
    // Port 0 lets the orchestrator choose (tests that run several platforms side by side).
    .WithEndpoint("http", endpoint => endpoint.Port = StablePort("Inference:HttpPort", 8000))
    .WithEndpoint("grpc", endpoint => endpoint.Port = StablePort("Inference:GrpcPort", 8001))
    .WithHttpHealthCheck("/health")
    .WaitFor(controlPlane);
// Inference API keys (Inference:ApiKeys:<name>); with none, inference is open.
ForwardSection(inference, "Inference:ApiKeys");

// Retraining: claims runs (alerts, schedule, `mlops models retrain`), trains with ML.NET, registers and shadows candidates.
IResourceBuilder<ProjectResource>? training = null;
if (topology.TrainingWorkers > 0)
{
    // Workers claim runs one at a time each, so any number may poll side by side.
    training = builder.AddProject<Projects.MlopsAspire_TrainingWorker>("training")
        .WithReplicas(topology.TrainingWorkers)
        .WithReference(orleans.AsClient())
        .WithReference(store.ConnectionString)
        .WithEndpoint("http", endpoint => endpoint.Port = StablePort("Training:HttpPort", 8090))
        .WithEnvironment("Training__ManagementAddress", controlPlane.GetEndpoint("grpc"))
        .WithEnvironment("Training__ApiKey", trainingKey)
        .WithHttpHealthCheck("/health")
        .WaitFor(controlPlane);
    ForwardSection(training, "Training", except: ["Enabled", "Workers", "HttpPort", "ManagementAddress", "ApiKey"]);
}

// The operator console (Blazor): reads and acts through the management API only, with the key a person signs in with.
if (builder.Configuration.GetValue("Console:Enabled", true))
{
    builder.AddProject<Projects.MlopsAspire_Console>("console")
        .WithHttpEndpoint(port: StablePort("Console:HttpPort", 8082), name: "http")
        .WithEnvironment("Console__ControlPlaneAddress", controlPlane.GetEndpoint("grpc"))
        .WithHttpHealthCheck("/health")
        .WaitFor(controlPlane)
        .WithUrlForEndpoint("http", url => url.DisplayText = "Operator console");
}

if (store.Server is { } server)
{
    silos.ForEach(silo => silo.WaitFor(server));
    inference.WaitFor(server);
    training?.WaitFor(server);
}

builder.Build().Run();

IResourceBuilder<ProjectResource> AddSilo(int silo)
{
    var resource = builder.AddProject<Projects.MlopsAspire_ControlPlane>(PlatformTopology.SiloName(silo))
        .WithReference(orleans)
        .WithReference(store.ConnectionString)
        // The management API (gRPC mlops.v1) on a stable address for the CLI, like the inference endpoints.
        .WithEndpoint("grpc", endpoint => endpoint.Port = PlatformTopology.SiloPort(StablePort("ControlPlane:GrpcPort", 8081), silo))
        .WithEndpoint("http", endpoint => endpoint.Port = PlatformTopology.SiloPort(StablePort("ControlPlane:HttpPort", 8080), silo))
        .WithEnvironment("Management__ApiKeys__Reader__reader", readerKey)
        .WithEnvironment("Management__ApiKeys__Operator__operator", operatorKey)
        .WithEnvironment("Management__ApiKeys__Admin__admin", adminKey)
        .WithEnvironment("Management__ApiKeys__Operator__training-worker", trainingKey)
        .WithHttpHealthCheck("/health");
    if (silo > 1)
    {
        // The first silo seeds the demo models; seeding is safe on several at once, but each would train fraud again.
        resource.WithEnvironment("ControlPlane__SeedDemoModels", "false");
    }

    // Monitoring defaults (window, grace, accuracy limits) given to the AppHost, e.g. --Monitoring:Window=00:00:05 for a demo.
    ForwardSection(resource, "Monitoring");
    // More management keys of one's own naming (Management:ApiKeys:<role>:<name>, best kept in the AppHost's user secrets):
    // a key per person or pipeline, and overlap while a key is rotated.
    ForwardSection(resource, "Management:ApiKeys");
    resource.WithUrl($"{resource.GetEndpoint("http")}/dashboard", "Orleans dashboard");
    resource.WithUrlForEndpoint("grpc", url => url.DisplayText = "Management API (gRPC)");
    return resource;
}

// Passes the AppHost's configuration values under a section to a resource as environment variables.
void ForwardSection(IResourceBuilder<ProjectResource> resource, string section, string[]? except = null)
{
    foreach (var setting in builder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: true))
    {
        if (setting.Value is { } value && !(except ?? []).Contains(setting.Key, StringComparer.OrdinalIgnoreCase))
        {
            resource.WithEnvironment($"{section}:{setting.Key}".Replace(":", "__", StringComparison.Ordinal), value);
        }
    }
}

int? StablePort(string key, int defaultPort) =>
    builder.Configuration.GetValue(key, defaultPort) is var port && port > 0 ? port : null;
