using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MlopsAspire.ServiceDefaults;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every MlopsAspire service does first: OpenTelemetry (logs, metrics, traces), health
/// endpoints, service discovery and resilient HttpClients.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    /// <summary>Meters and activity sources of our own code and of Orleans.</summary>
    private static readonly string[] MeterNames = ["MlopsAspire.*", "Microsoft.Orleans"];
    private static readonly string[] ActivitySourceNames = ["MlopsAspire.*", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // First of the hosted services, so the last to stop: the final telemetry includes everyone's, within a budget.
        builder.Services.AddHostedService<TelemetryShutdown>();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterNames))
            .WithTracing(tracing => tracing
                // The parent decides for child spans; only root spans of periodic polls are left out.
                .SetSampler(new ParentBasedSampler(new MlopsAspire.ServiceDefaults.PollingCallSampler()))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(ActivitySourceNames)
                .AddAspNetCoreInstrumentation()
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        // Health probes every few seconds would drown the traces worth reading, and so would every request of a
        // busy replica: a service with high-volume requests registers a RequestTraceLimit for them.
        builder.Services.AddOptions<AspNetCoreTraceInstrumentationOptions>().Configure<IServiceProvider>((options, services) =>
        {
            var limit = services.GetService<RequestTraceLimit>();
            options.Filter = context =>
                !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                && !PrometheusScrapeEndpoint.IsScrape(context)
                && (limit is null || limit.ShouldTrace(context));
        });

        // Aspire sets the endpoint for every service it starts; elsewhere nothing is exported.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        // Prometheus /metrics beside OTLP, for clusters whose Prometheus scrapes the services.
        PrometheusScrapeEndpoint.AddTo(builder);

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: every check must pass (ready for traffic). <c>/alive</c>: the process answers.
    /// Mapped in every environment: the platform runs locally and its orchestrator needs both.
    /// With <c>Metrics:PrometheusPort</c> set, also <c>/metrics</c> on that port alone.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        PrometheusScrapeEndpoint.Map(app);
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        });
        return app;
    }
}
