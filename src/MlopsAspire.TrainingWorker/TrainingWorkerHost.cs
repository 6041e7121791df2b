using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Training.Trainers;
using StackExchange.Redis;

namespace MlopsAspire.TrainingWorker;

/// <summary>
/// Builds the training worker: an Orleans client that claims retraining runs, reads labelled rows from the payload
/// log and parent artifacts from the store, and registers candidates through the management API like any operator.
/// </summary>
public static class TrainingWorkerHost
{
    public const string StoreConnectionName = "store";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(TrainingWorkerHost).Assembly.GetName().Name,
        });

        builder.AddServiceDefaults();
        builder.AddKeyedRedisClient(StoreConnectionName);
        builder.UseOrleansClient(client => client.UseConnectionRetryFilter<PersistentClusterConnectionRetry>());

        builder.Services.AddOptions<TrainingWorkerOptions>()
            .Bind(builder.Configuration.GetSection(TrainingWorkerOptions.SectionName))
            .Validate(options => { options.Validate(); return true; })
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services =>
            new ArtifactStore(services.GetRequiredKeyedService<IConnectionMultiplexer>(StoreConnectionName)));
        builder.Services.AddSingleton(services =>
            new PayloadLog(services.GetRequiredKeyedService<IConnectionMultiplexer>(StoreConnectionName)));
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<TrainingWorkerOptions>>().Value;
            var channel = GrpcChannel.ForAddress(options.ManagementAddress);
            var invoker = channel.CreateCallInvoker().Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {options.ApiKey.Trim()}");
                return metadata;
            });
            return new ModelManagement.ModelManagementClient(invoker);
        });
        builder.Services.AddSingleton(services => new TrainerCatalog(
            services.GetRequiredService<IOptions<TrainingWorkerOptions>>().Value.Commands, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<RetrainingRunner>();
        builder.Services.AddHostedService<RetrainingWorker>();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app;
    }
}
