using System.Net;
using MlopsAspire.Artifacts;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.ControlPlane.Management;
using MlopsAspire.ControlPlane.Monitoring;
using MlopsAspire.ControlPlane.Seeding;
using MlopsAspire.ControlPlane.Validation;
using MlopsAspire.Grains.Monitoring;
using MlopsAspire.Grains.Storage;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;

namespace MlopsAspire.ControlPlane;

/// <summary>
/// Builds the control plane: an Orleans silo owning the model grains, the management API (gRPC <c>mlops.v1</c> on
/// endpoint "grpc", HTTP/2) and health and the Orleans dashboard over HTTP/1.1 (endpoint "http").
/// </summary>
public static class ControlPlaneServer
{
    public const string StoreConnectionName = "store";

    /// <summary>
    /// True in a Kubernetes pod (deploy/kubernetes): Orleans takes the silo's name, address, cluster and service ids
    /// from the pod (POD_NAME, POD_IP, POD_NAMESPACE, ORLEANS_CLUSTER_ID, ORLEANS_SERVICE_ID).
    /// </summary>
    public const string KubernetesHostingKey = "ControlPlane:KubernetesHosting";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(ControlPlaneServer).Assembly.GetName().Name,
        });

        builder.AddServiceDefaults();
        builder.AddKeyedRedisClient(StoreConnectionName);

        builder.UseOrleans(silo =>
        {
            // Aspire configures clustering and grain storage (Redis protocol on the store) from configuration.
            if (builder.Configuration.GetValue(KubernetesHostingKey, false))
            {
                // In a pod: named after it, advertising its IP, and deleting the pods of silos the cluster declared
                // dead, so that Kubernetes replaces them. Membership stays in the store.
                silo.UseKubernetesHosting();
            }
            else
            {
                // Silos on one machine must advertise loopback, or they gossip an address they cannot reach.
                silo.Configure<EndpointOptions>(options => options.AdvertisedIPAddress = IPAddress.Loopback);
            }

            // Find a silo that died without leaving (killed, or the platform restarted) in seconds rather than
            // the default half minute, so a restarted or surviving silo takes over its grains quickly.
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(2);
                options.NumMissedProbesLimit = 2;
                // A silo still joining probes only members that stopped writing their heartbeat to the table, and
                // may not join until every active member answers. When the whole platform stops, the store can go
                // before the silo records that it left, so the next start finds it "active": by default it waits
                // 3 × 30 s for that heartbeat to go stale before probing it. A heartbeat every 5 s, stale after two,
                // lets a restarted control plane declare its predecessor dead and join in about 15 s.
                options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                options.NumMissedTableIAmAliveLimit = 2;
            });
            if (builder.Configuration.GetValue("ControlPlane:OrleansDashboard", true))
            {
                silo.AddDashboard();
            }
        });

        // Grain state is written in a form every later start can read back (see GrainStateJsonSerializer).
        builder.Services.AddModelStateSerializer();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<MonitoringDefaultsOptions>(builder.Configuration.GetSection(MonitoringDefaultsOptions.SectionName));
        builder.Services.AddSingleton(services =>
            new ArtifactStore(services.GetRequiredKeyedService<IConnectionMultiplexer>(StoreConnectionName)));
        builder.Services.Configure<ValidationOptions>(builder.Configuration.GetSection(ValidationOptions.SectionName));
        builder.Services.AddSingleton<ArtifactValidator>();
        builder.Services.AddSingleton<DemoModelSeeder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DemoModelSeeder>());
        builder.Services.AddHealthChecks().AddCheck<DemoModelsHealthCheck>("demo-models");

        AddManagementApi(builder);
        return builder;
    }

    private static void AddManagementApi(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ManagementOptions.SectionName);
        builder.Services.Configure<ManagementOptions>(section);
        builder.Services.AddSingleton<ApiKeyRegistry>();
        builder.Services.AddSingleton<RefusalAudit>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RefusalAudit>());
        builder.Services.AddSingleton<ApiKeyInterceptor>();
        builder.Services.AddSingleton<ManagementErrorInterceptor>();
        builder.Services.AddSingleton<ModelRegistration>();
        builder.Services.AddSingleton<ArtifactCollector>();
        builder.Services.AddGrpc(grpc =>
        {
            // Uploads arrive in chunks; no single message needs to be large.
            grpc.MaxReceiveMessageSize = 8 * 1024 * 1024;
        }).AddServiceOptions<ModelManagementService>(service =>
        {
            // Admission runs first, so a refused call never reaches the service.
            service.Interceptors.Add<ApiKeyInterceptor>();
            service.Interceptors.Add<ManagementErrorInterceptor>();
        }).AddServiceOptions<ModelMonitoringService>(service =>
        {
            service.Interceptors.Add<ApiKeyInterceptor>();
            service.Interceptors.Add<ManagementErrorInterceptor>();
        });

        // Feedback joins labels with the payloads replicas logged in the store.
        builder.Services.AddSingleton(services =>
            new PayloadLog(services.GetRequiredKeyedService<IConnectionMultiplexer>(StoreConnectionName)));

        // Kestrel caps request bodies at 30 MB; a registration streams the whole artifact in one call.
        var maxArtifactBytes = section.GetValue(nameof(ManagementOptions.MaxArtifactBytes), new ManagementOptions().MaxArtifactBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxArtifactBytes + (16 * 1024 * 1024));
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGrpcService<ModelManagementService>();
        app.MapGrpcService<ModelMonitoringService>();
        if (app.Configuration.GetValue("ControlPlane:OrleansDashboard", true))
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard");
        }

        app.MapGet("/", () => Results.Redirect("/dashboard"));
        return app;
    }
}
