using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlopsAspire.AppHost;

/// <summary>
/// The Redis-protocol store every tier shares. Chosen by configuration value <c>Store:Mode</c>
/// while the model is built, so the container branch is never built where no container runtime exists.
/// Every mode hands its clients one connection string that carries the password.
/// </summary>
internal static class StoreResources
{
    public const string ConnectionName = "store";

    /// <summary>The store's password in the embedded and container modes (the name <c>AddRedis</c> would give it).</summary>
    public const string PasswordParameterName = ConnectionName + "-password";

    public sealed record Store(
        IResourceBuilder<IResourceWithConnectionString> ConnectionString,
        IResourceBuilder<IResource>? Server);

    public static Store AddStore(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration["Store:Mode"] ?? "embedded";
        return mode.ToLowerInvariant() switch
        {
            "embedded" => AddEmbeddedGarnet(builder),
            "container" => AddRedisContainer(builder),
            // The operator's own server: its connection string brings its own password ("host:port,password=...").
            "external" => new Store(builder.AddConnectionString(ConnectionName).WithOrleansProviderType("Redis"), null),
            _ => throw new InvalidOperationException(
                $"Store:Mode '{mode}' is not one of: embedded (Garnet, default), container (Redis container), external (ConnectionStrings:store)."),
        };
    }

    private static Store AddEmbeddedGarnet(IDistributedApplicationBuilder builder)
    {
        var dataDirectory = builder.Configuration["Store:DataDirectory"];
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            dataDirectory = Path.Combine(builder.AppHostDirectory, ".data", "garnet");
        }

        var password = builder.AddGeneratedSecret(PasswordParameterName);
        // Garnet binds loopback unless told otherwise (GARNET_BIND), and is never told otherwise here.
        var garnet = builder.AddProject<Projects.MlopsAspire_Store>("garnet")
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "GARNET_PORT", isProxied: false)
            .WithEnvironment("GARNET_DATA_DIR", Path.GetFullPath(dataDirectory))
            .WithEnvironment("GARNET_PASSWORD", password);

        var endpoint = garnet.GetEndpoint("tcp");
        var healthCheckName = "garnet-ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckName,
            _ => new RedisPingHealthCheck(() => (endpoint.Host, endpoint.Port), password.Resource),
            failureStatus: null,
            tags: null));
        garnet.WithHealthCheck(healthCheckName);

        var connectionString = builder.AddConnectionString(
                ConnectionName,
                ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)},password={password.Resource}"))
            .WithOrleansProviderType("Redis");
        return new Store(connectionString, garnet);
    }

    private static Store AddRedisContainer(IDistributedApplicationBuilder builder)
    {
        var redis = builder.AddRedis(ConnectionName, port: null, password: builder.AddGeneratedSecret(PasswordParameterName));
        return new Store(redis, redis);
    }
}
