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
