using System.Net;
using MlopsAspire.Artifacts;
using MlopsAspire.ControlPlane.Seeding;
using MlopsAspire.ControlPlane.Validation;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddKeyedRedisClient("store");

builder.UseOrleans(silo =>
{
    // Aspire configures clustering and grain storage (Redis protocol on the store) from configuration.
    // Silos on one machine must advertise loopback, or they gossip an address they cannot reach.
    silo.Configure<EndpointOptions>(options => options.AdvertisedIPAddress = IPAddress.Loopback);
    // Find a silo that died without leaving (killed, or the platform restarted) in seconds rather than
    // the default half minute, so a restarted or surviving silo takes over its grains quickly.
    silo.Configure<ClusterMembershipOptions>(options =>
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.NumMissedProbesLimit = 2;
    });
    if (builder.Configuration.GetValue("ControlPlane:OrleansDashboard", true))
    {
        silo.AddDashboard();
    }
});

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(services =>
    new ArtifactStore(services.GetRequiredKeyedService<IConnectionMultiplexer>("store")));
builder.Services.AddSingleton<ArtifactValidator>();
builder.Services.AddSingleton<DemoModelSeeder>();
builder.Services.AddHostedService(services => services.GetRequiredService<DemoModelSeeder>());
builder.Services.AddHealthChecks().AddCheck<DemoModelsHealthCheck>("demo-models");

var app = builder.Build();

app.MapDefaultEndpoints();
if (app.Configuration.GetValue("ControlPlane:OrleansDashboard", true))
{
    app.MapOrleansDashboard(routePrefix: "/dashboard");
}

app.MapGet("/", () => Results.Redirect("/dashboard"));

app.Run();
