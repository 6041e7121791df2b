using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Mlops.V1;
using MlopsAspire.FraudData;
using MlopsAspire.Serving;
using MlopsAspire.Training;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// The Grafana dashboard in deploy/grafana queries series that the platform really exports: a real replica and the
/// real control plane, each with Prometheus metrics on, serve a model with a shadow and receive labels, and their
/// scrapes must hold every series the dashboard's queries name, for that model. Serving series come from the replica,
/// monitoring series from the control plane, as in a cluster.
/// </summary>
// Alone: with other platforms in this process, a replica's exporter has been seen to miss its own series.
[Collection(RunsAlone.Name)]
public sealed partial class GrafanaDashboardTests : IAsyncLifetime
{
    private static readonly string DashboardPath = Path.Combine(AppContext.BaseDirectory, "grafana", "mlopsaspire-models.json");

    private readonly int _controlPlaneMetricsPort = ControlPlaneHost.FreePort();
    private readonly ControlPlaneHost _host;

    public GrafanaDashboardTests() => _host = new ControlPlaneHost(
    [
        // Windows judged within seconds, so that drift, agreement and accuracy are published during the test.
        "--Monitoring:Window=00:00:02",
        "--Monitoring:Grace=00:00:01",
        "--Monitoring:MinimumRows=20",
        "--Monitoring:MinimumLabelledRows=100",
        "--Monitoring:AccuracyWindows=1",
        $"--Metrics:PrometheusPort={_controlPlaneMetricsPort}",
    ]);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Every_series_the_dashboard_queries_is_in_the_scrapes_of_a_serving_replica_and_the_control_plane()
    {
        var queried = DashboardSeries();
        Assert.Contains("mlops_inference_requests_total", queried);
        Assert.Contains("mlops_monitoring_shadow_agreement", queried);

        var name = ControlPlaneHost.UniqueModelName("fraud");
        var management = _host.Client(ControlPlaneHost.OperatorKey);
        var production = DemoModels.TrainFraud().OnnxModel;
        var metadata = Uploads.Metadata(name, production);
        metadata.ServingConfigJson = DemoModels.FraudConfigJson;
        await management.RegisterAsync(metadata, production);
        await management.PromoteAsync(new PromoteRequest { Name = name, Version = "1" });
        var candidate = DemoModels.TrainFraud(seed: 43).OnnxModel;
        await management.RegisterAsync(Uploads.Metadata(name, candidate), candidate);
        await management.SetShadowAsync(new SetShadowRequest { Name = name, Version = "2", SampleRate = 1.0 });

        var replicaMetricsPort = ControlPlaneHost.FreePort();
        await using var replica = await ControlPlaneReplica.StartAsync(_host, $"--Metrics:PrometheusPort={replicaMetricsPort}");
        var repository = replica.Services.GetRequiredService<ModelRepository>();
        await Until(() => repository.IsModelReady(name, "2"), $"{name} version 2 served");

        var client = new GRPCInferenceService.GRPCInferenceServiceClient(replica.Channel);
        var monitoring = _host.MonitoringClient(ControlPlaneHost.OperatorKey);
        var generator = new FraudDataGenerator(new FraudDataOptions { Seed = 3 });
        using var http = new HttpClient();
        var round = 0;

        // Production's reference profile is built from its first traffic; labels join only once it exists.
        var statsRequest = new GetStatsRequest { ModelName = name, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
        await Until(
            async () =>
            {
                await ServeAsync(client, generator, name, round++);
                return (await monitoring.GetStatsAsync(statsRequest)).Versions.Any(v => v.Version == "1" && v.HasReferenceProfile);
            },
            "a reference profile built from production");

        // Traffic and labels go on until windows are judged after the reference: then every series has a value.
        var missing = queried;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var lastReplicaScrape = "";
        while (missing.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not in the scrapes within 120 s: {string.Join(", ", missing)}; the replica's scrape: {string.Join("\n", lastReplicaScrape.Split('\n').Where(line => line.StartsWith("mlops_inference_requests", StringComparison.Ordinal)))}");
            await monitoring.SendFeedbackAsync(await ServeAsync(client, generator, name, round++));
            var replicaScrape = await http.GetStringAsync($"http://127.0.0.1:{replicaMetricsPort}/metrics");
            lastReplicaScrape = replicaScrape;
            var controlPlaneScrape = await http.GetStringAsync($"http://127.0.0.1:{_controlPlaneMetricsPort}/metrics");
            missing = [.. queried.Where(series => !HasSeries(series.StartsWith("mlops_monitoring_", StringComparison.Ordinal) ? controlPlaneScrape : replicaScrape, series, name))];
            await Task.Delay(100);
        }
    }

    /// <summary>Every series name the dashboard's panel queries and template variables name.</summary>
    private static List<string> DashboardSeries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;
        var queries = dashboard["panels"]!.AsArray()
            .SelectMany(panel => panel!["targets"]?.AsArray() ?? [])
            .Select(target => (string)target!["expr"]!)
            .Concat(dashboard["templating"]!["list"]!.AsArray()
                .Where(variable => (string?)variable!["type"] == "query")
                .Select(variable => (string)variable!["query"]!));
        return [.. queries.SelectMany(query => SeriesName().Matches(query).Select(match => match.Value)).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>A sample of <paramref name="series"/> labelled with <paramref name="model"/>.</summary>
    private static bool HasSeries(string scrape, string series, string model) =>
        scrape.Split('\n').Any(line => line.StartsWith(series + "{", StringComparison.Ordinal) && line.Contains($"model=\"{model}\"", StringComparison.Ordinal));

    /// <summary>Five requests of 20 rows, each with an id; returns their labels as feedback.</summary>
    private static async Task<FeedbackRequest> ServeAsync(GRPCInferenceService.GRPCInferenceServiceClient client, FraudDataGenerator generator, string name, int round)
    {
        var feedback = new FeedbackRequest { ModelName = name, BatchId = $"labels-{round}" };
        for (var i = 0; i < 5; i++)
        {
            var rows = generator.Generate(20).ToArray();
            var request = FraudInferRequests.For(name, $"r{round}-{i}", rows);
            await client.ModelInferAsync(request);
            feedback.Items.Add(new FeedbackItem { RequestId = request.Id, Labels = { rows.Select(row => row.IsFraud ? 1f : 0f) } });
        }

        return feedback;
    }

    [GeneratedRegex(@"\bmlops_[a-z0-9_]+\b")]
    private static partial Regex SeriesName();
}
