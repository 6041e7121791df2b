using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace MlopsAspire.ServiceDefaults;

/// <summary>
/// Prometheus <c>/metrics</c>, off unless <c>Metrics:PrometheusPort</c> is set. It is served on that port alone, a
/// Kestrel endpoint of its own ("metrics", HTTP/1.1), and that port serves nothing else: the series name every model
/// and version a service knows, and the API ports may admit callers by key, so a scrape must never be a way round the
/// keys, nor the metrics port a way in to the APIs. A cluster lets only its Prometheus reach the port
/// (deploy/kubernetes: NetworkPolicy).
/// </summary>
public static class PrometheusScrapeEndpoint
{
    public const string PortKey = "Metrics:PrometheusPort";
    public const string EndpointName = "metrics";
    public const string Path = "/metrics";

    /// <summary>The configured port, or null when Prometheus metrics are off.</summary>
    public static int? Port(IConfiguration configuration)
    {
        var value = configuration[PortKey];
        if (string.IsNullOrWhiteSpace(value) || value.Trim() == "0")
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{PortKey} must be a TCP port from 1 to 65535 (or 0 for no Prometheus metrics); got '{value}'");
    }

    /// <summary>Adds the exporter and the port's Kestrel endpoint when the port is configured.</summary>
    public static void AddTo<TBuilder>(TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (Port(builder.Configuration) is not { } port)
        {
            return;
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Kestrel:Endpoints:{EndpointName}:Url"] = $"http://*:{port}",
            [$"Kestrel:Endpoints:{EndpointName}:Protocols"] = "Http1",
        });
    }

    /// <summary>Answers <c>/metrics</c> on the metrics port, and nothing else there.</summary>
    public static void Map(WebApplication app)
    {
        if (Port(app.Configuration) is not { } port)
        {
            return;
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == port && context.Request.Path == Path);
        app.Use((context, next) =>
        {
            if (context.Connection.LocalPort != port)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    /// <summary>Scrapes are periodic and carry no request worth a trace.</summary>
    public static bool IsScrape(HttpContext context) => context.Request.Path.StartsWithSegments(Path);
}
