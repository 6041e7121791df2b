using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Inference.Protocol;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Inference.Protocol.Rest;
using MlopsAspire.Inference.Security;
using MlopsAspire.ServiceDefaults;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Statistics;
using StackExchange.Redis;

namespace MlopsAspire.Inference;

/// <summary>
/// Builds the inference replica: the Open Inference Protocol over gRPC (endpoint "grpc", HTTP/2) and over REST
/// with health (endpoint "http", HTTP/1.1). Models come from the control plane when a <c>store</c> connection string is
/// configured, otherwise from the local folder <c>Inference:ModelRepository</c>.
/// </summary>
public static class InferenceServer
{
    public const string StoreConnectionName = "store";

    /// <summary>Payload log limits (<see cref="PayloadLogOptions"/>): join window, pending entries and bytes per model, bytes per payload, writer batching.</summary>
    public const string PayloadLogSectionName = "Inference:PayloadLog";

    /// <summary>Paths of the Open Inference Protocol's gRPC service and REST routes (what <see cref="RequestTraceLimit"/> caps).</summary>
    public static bool IsProtocolPath(PathString path) =>
        path.StartsWithSegments("/inference.GRPCInferenceService", StringComparison.Ordinal)
        || path.StartsWithSegments("/v2", StringComparison.Ordinal);

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(InferenceServer).Assembly.GetName().Name,
            // appsettings.json beside the binary, wherever it is started from: without it the gRPC endpoint loses its
            // HTTP/2-only protocol and a plaintext gRPC client is turned away.
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.AddServiceDefaults();

        var options = builder.Configuration.GetSection(InferenceOptions.SectionName).Get<InferenceOptions>() ?? new InferenceOptions();
        builder.Services.Configure<InferenceOptions>(builder.Configuration.GetSection(InferenceOptions.SectionName));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
        }).AddInferenceApiKeys();

        // Kestrel caps request bodies at 30 MB by default, below the gRPC message limit; leave room for framing.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = (long)options.MaxMessageBytes + 16 * 1024);

        builder.Services.AddSingleton(new RequestTraceLimit(IsProtocolPath, options.MaxInferenceTracesPerSecond));
        builder.Services.AddSingleton<ServingMetrics>();
        builder.Services.AddSingleton<ModelRepository>();
        builder.Services.AddSingleton<OversizedMessages>();
        // With batching, it watches the queues' byte budget too (registered below); without, oversized requests alone.
        builder.Services.AddHostedService<QueueFloodMemoryRelease>();
        if (options.Batching.Enabled)
        {
            if (options.MaxQueuedBytes is < 1)
            {
                throw new InvalidOperationException($"{InferenceOptions.SectionName}:MaxQueuedBytes must be at least 1; got {options.MaxQueuedBytes}");
            }

            builder.Services.AddSingleton(new QueueByteBudget(options.MaxQueuedBytes ?? QueueByteBudget.DefaultLimit));
            builder.Services.AddSingleton<IInferenceExecutor, BatchingInferenceExecutor>();
        }
        else
        {
            builder.Services.AddSingleton<IInferenceExecutor>(InlineInferenceExecutor.Instance);
        }

        builder.Services.AddSingleton<InferenceEngine>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<MonitoringOptions>(builder.Configuration.GetSection(MonitoringOptions.SectionName));
        builder.Services.AddSingleton<TrafficRoutes>();
        builder.Services.AddSingleton<ReplicaMonitoring>();
        builder.Services.AddSingleton<PredictionPipeline>();
        builder.Services.AddSingleton<InferenceMetrics>();
        builder.Services.AddSingleton<RequestAccounting>();
        builder.Services.AddSingleton<ProtocolErrors>();
        builder.Services.AddSingleton<ServerIdentity>();
        builder.Services.AddSingleton<ModelConfigDescription>();
        builder.Services.AddSingleton<VersionLoadStates>();
        builder.Services.AddSingleton<ModelSetReconciler>();
        // Holds no per-call state: one instance serves every call, so gRPC does not build one (and resolve its nine
        // dependencies) per request.
        builder.Services.AddSingleton<OpenInferenceGrpcService>();
        builder.Services.AddHealthChecks().AddCheck<ModelsReadyHealthCheck>(ModelsReadyHealthCheck.Name, tags: [ModelsReadyHealthCheck.ReadyTag]);

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(StoreConnectionName)))
        {
            AddControlPlaneModels(builder);
        }
        else
        {
            builder.Services.AddSingleton<LocalModelFolder>();
            builder.Services.AddSingleton<IModelRepositoryControl>(services => services.GetRequiredService<LocalModelFolder>());
            builder.Services.AddHostedService<LocalModelFolderLoader>();
        }

        return builder;
    }

    /// <summary>Models from the control plane: routing table from the registry grain, artifacts from the store.</summary>
    private static void AddControlPlaneModels(WebApplicationBuilder builder)
    {
        builder.AddKeyedRedisClient(StoreConnectionName);
        builder.UseOrleansClient(client => client.UseConnectionRetryFilter<PersistentClusterConnectionRetry>());
        builder.Services.AddSingleton(services =>
            new ArtifactStore(services.GetRequiredKeyedService<IConnectionMultiplexer>(StoreConnectionName)));
        builder.Services.AddSingleton(services => new ArtifactCache(
            services.GetRequiredService<ArtifactStore>(),
            services.GetRequiredService<IOptions<InferenceOptions>>().Value.ResolveArtifactCacheDirectory()));
        // Registered before the services that fill the cache, so it stops after them.
        builder.Services.AddHostedService(services => TemporaryArtifactCacheFolder.For(
            services.GetRequiredService<IOptions<InferenceOptions>>().Value,
            services.GetRequiredService<ILogger<TemporaryArtifactCacheFolder>>()));
        builder.Services.AddSingleton<IModelArtifactSource, CachedArtifactSource>();
        builder.Services.AddSingleton<IRoutingTableSource, RegistryGrainRoutingTableSource>();
        builder.Services.AddSingleton<IModelRepositoryControl, RoutingTableModelControl>();
        builder.Services.AddHostedService<RoutingTableSync>();
        // Which versions load here, and why one does not, for `mlops models show` and promotion.
        builder.Services.AddSingleton(AdvertisedGrpcAddress.Resolve(builder.Configuration, System.Net.Dns.GetHostName()));
        builder.Services.AddHostedService<LoadStatusPublisher>();

        // Statistics to the monitoring grains, payloads for feedback joins.
        var payloadLogOptions = builder.Configuration.GetSection(PayloadLogSectionName).Get<PayloadLogOptions>() ?? new PayloadLogOptions();
        builder.Services.AddSingleton(services =>
            new PayloadLog(services.GetRequiredKeyedService<IConnectionMultiplexer>(StoreConnectionName), payloadLogOptions));
        // Requests only queue their payloads; the writer sends them in batches and flushes when the host disposes it.
        builder.Services.AddSingleton(services => new PayloadLogWriter(services.GetRequiredService<PayloadLog>(), payloadLogOptions));
        builder.Services.AddSingleton<IMonitoringSink, GrainMonitoringSink>();
        builder.Services.AddHostedService<StatisticsPublisher>();
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseMiddleware<GrpcMessageLimitStatus>();
        app.MapDefaultEndpoints();
        app.MapGrpcService<OpenInferenceGrpcService>();
        app.MapOpenInferenceRestApi();
        return app;
    }
}
