using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Windows;
using ProfiledFeature = MlopsAspire.Monitoring.Profiles.FeatureProfile;
using StatisticsProfile = MlopsAspire.Monitoring.Profiles.ReferenceProfile;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>The monitoring API over a real control plane: feedback joins, live accuracy, gates, access control.</summary>
public sealed class MonitoringApiTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private ModelMonitoring.ModelMonitoringClient Operator => host.MonitoringClient(ControlPlaneHost.OperatorKey);

    private ModelMonitoring.ModelMonitoringClient Reader => host.MonitoringClient(ControlPlaneHost.ReaderKey);

    [Fact]
    public async Task Feedback_joins_logged_predictions_into_live_accuracy_per_version()
    {
        var name = await ModelInProductionAsync();
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        var payloads = Enumerable.Range(0, 40)
            .Select(i => new PayloadRecord(name, "1", $"req-{i}", at, 2, [i, i + 1], [i % 4 == 0 ? 0.2f : 0.9f]))
            .ToList();
        host.Payloads.Append(payloads[..^1]);
        await host.Payloads.AppendAsync(payloads[^1]);

        var request = new FeedbackRequest { ModelName = name, BatchId = "b1" };
        request.Items.AddRange(Enumerable.Range(0, 40).Select(i => new FeedbackItem { RequestId = $"req-{i}", Labels = { 1f } }));
        request.Items.Add(new FeedbackItem { RequestId = "never-logged", Labels = { 1f } });
        var response = await Operator.SendFeedbackAsync(request);

        Assert.Equal(40, response.Joined);
        Assert.Equal(["never-logged"], response.UnknownRequestIds);
        Assert.Equal(40, response.JoinedByVersion["1"]);

        var stats = await Reader.GetStatsAsync(new GetStatsRequest { ModelName = name, Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
        var production = Assert.Single(stats.Versions);
        Assert.Equal(("1", "production"), (production.Version, production.Role));
        Assert.Equal(40, production.LabelledRows);
        Assert.Equal(0.75, production.Accuracy, 9);
    }

    [Fact]
    public async Task Gates_report_each_candidate_and_the_policy_round_trips()
    {
        var name = await ModelInProductionAsync(shadowVersion: true);
        var policy = await Operator.SetPromotionPolicyAsync(new SetPromotionPolicyRequest
        {
            ModelName = name,
            Policy = new PromotionPolicy
            {
                MinimumRows = 10,
                MinimumDuration = Duration.FromTimeSpan(TimeSpan.Zero),
                MinimumShadowAgreement = 0.9,
                MaximumErrorRate = 0.05,
                EvaluationSpan = Duration.FromTimeSpan(TimeSpan.FromMinutes(30)),
            },
        });
        Assert.True(policy.HasMinimumShadowAgreement);
        Assert.False(policy.HasMaximumP99Ratio);

        var gates = await Reader.GetGatesAsync(new GetGatesRequest { ModelName = name });
        var verdict = Assert.Single(gates.Verdicts);
        Assert.Equal(("2", "shadow", "1"), (verdict.Version, verdict.Role, verdict.BaselineVersion));
        Assert.False(verdict.Decided);
        Assert.StartsWith("not enough evidence yet", verdict.Summary);
        Assert.Equal(10, gates.Policy.MinimumRows);
    }

    [Fact]
    public async Task Access_and_argument_errors_are_clear()
    {
        var name = await ModelInProductionAsync();
        var feedback = new FeedbackRequest { ModelName = name, Items = { new FeedbackItem { RequestId = "x", Labels = { 1f } } } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await host.MonitoringClient(null).SendFeedbackAsync(feedback));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var reader = await Assert.ThrowsAsync<RpcException>(async () => await Reader.SendFeedbackAsync(feedback));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);

        var empty = await Assert.ThrowsAsync<RpcException>(async () => await Operator.SendFeedbackAsync(new FeedbackRequest { ModelName = name }));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("1 to 10000 items", empty.Status.Detail);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await Reader.GetStatsAsync(new GetStatsRequest { ModelName = name, Version = "9" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var noModel = await Assert.ThrowsAsync<RpcException>(async () => await Reader.GetGatesAsync(new GetGatesRequest { ModelName = "no-such-model" }));
        Assert.Equal(StatusCode.NotFound, noModel.StatusCode);
    }

    [Fact]
    public async Task A_version_whose_stored_monitoring_cannot_be_read_is_reported_and_the_others_still_answer()
    {
        var name = await ModelInProductionAsync(shadowVersion: true);
        // The shadow's monitoring state as a corrupted store would hold it, before anything activated it.
        var key = $"{host.ServiceId}/state/modelmonitor/{name}/2/monitor";
        await using (var store = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(host.StoreEndpoint))
        {
            await store.GetDatabase().HashSetAsync(key, [new("etag", "e1"), new("data", "{\"Profile\": [truncated")]);
        }

        var stats = await Reader.GetStatsAsync(new GetStatsRequest { ModelName = name, Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
        Assert.Equal(["1", "2"], stats.Versions.Select(v => v.Version).Order());
        Assert.Empty(stats.Versions.Single(v => v.Version == "1").Unavailable);
        var shadow = stats.Versions.Single(v => v.Version == "2");
        Assert.StartsWith("stored state could not be read", shadow.Unavailable);
        Assert.Contains(key, shadow.Unavailable);

        // A call that cannot do without that state fails with a status and a message that say what is wrong.
        var gates = await Assert.ThrowsAsync<RpcException>(async () => await Reader.GetGatesAsync(new GetGatesRequest { ModelName = name }));
        Assert.Equal(StatusCode.DataLoss, gates.StatusCode);
        Assert.Contains(key, gates.Status.Detail);
    }

    [Fact]
    public async Task Feedback_for_a_model_whose_contract_cannot_use_it_says_why_and_joins_nothing()
    {
        var name = await ModelInProductionAsync(config: null);
        var request = new FeedbackRequest { ModelName = name, Items = { new FeedbackItem { RequestId = "req-1", Labels = { 1f } } } };

        var response = await Operator.SendFeedbackAsync(request);

        Assert.Equal(0, response.Joined);
        Assert.Equal($"feedback for '{name}' is not used: live metrics need 'task' (binary-classification, multiclass-classification or regression) and 'outputs.score'", response.Unusable);
    }

    [Fact]
    public async Task Labels_are_read_as_the_contract_says_and_refused_by_row_when_they_do_not_fit()
    {
        const string Multiclass = """{ "task": "multiclass-classification", "outputs": { "score": "p", "classes": ["sun", "rain", "snow"] } }""";
        var name = await ModelInProductionAsync(config: Multiclass, outputWidth: 3);
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        host.Payloads.Append([
            new PayloadRecord(name, "1", "r-1", at, 2, [1, 2, 3, 4], [1, 2]),
            new PayloadRecord(name, "1", "r-2", at, 2, [1, 2], [0]),
        ]);
        await host.Payloads.AppendAsync(new PayloadRecord(name, "1", "r-3", at, 2, [1, 2], [2]));

        var request = new FeedbackRequest { ModelName = name, BatchId = "classes" };
        request.Items.Add(new FeedbackItem { RequestId = "r-1", ClassLabels = { "rain", "snow" } });
        request.Items.Add(new FeedbackItem { RequestId = "r-2", ClassLabels = { "hail" } });
        request.Items.Add(new FeedbackItem { RequestId = "r-3", Labels = { 1f } });
        var response = await Operator.SendFeedbackAsync(request);

        Assert.Equal(1, response.Joined);
        Assert.Equal(
            ["r-2: 'hail' is not one of the classes (sun, rain, snow)", "r-3: the model reads labels as class names (sun, rain, snow): send them as class_labels"],
            response.Rejected);
        var stats = await Reader.GetStatsAsync(new GetStatsRequest { ModelName = name, Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
        var production = Assert.Single(stats.Versions);
        Assert.Equal(2, production.LabelledRows);
        Assert.Equal(1.0, production.Accuracy, 9);
    }

    [Fact]
    public async Task Stats_carry_each_profiled_prediction_s_recent_distribution_beside_its_reference()
    {
        var name = await ModelInProductionAsync();
        var span = new GetStatsRequest { ModelName = name, Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) };
        Assert.Empty(Assert.Single((await Reader.GetStatsAsync(span)).Versions).PredictionDistributions);

        var monitor = host.Grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, "1"));
        var profile = new StatisticsProfile([], [new ProfiledFeature("p", [0.2, 0.5], [5, 3, 2], 0.3, 0.2, 0, 1)], 10);
        await monitor.SetReferenceProfile(MonitoringMapper.ToMessage(profile, "test"));
        var recent = new PredictionStatistics(profile) { RequestCount = 4, RowCount = 4 };
        foreach (var score in (double[])[0.1, 0.3, 0.4, 0.9])
        {
            recent.Predictions[0].Add(score);
        }

        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        Assert.True(await monitor.Report(MonitoringMapper.ToMessage("replica-a", 1, at, at.AddSeconds(1), recent)));

        var distribution = Assert.Single(Assert.Single((await Reader.GetStatsAsync(span)).Versions).PredictionDistributions);
        Assert.Equal("p", distribution.Name);
        Assert.Equal([0.2, 0.5], distribution.Edges);
        Assert.Equal([1L, 2, 1], distribution.Counts);
        Assert.Equal([5L, 3, 2], distribution.ReferenceCounts);
    }

    private const string BinaryConfig = """{ "task": "binary-classification", "outputs": { "score": "p" } }""";

    private async Task<string> ModelInProductionAsync(bool shadowVersion = false, string? config = BinaryConfig, int outputWidth = 1)
    {
        var name = ControlPlaneHost.UniqueModelName("monitored");
        var model = host.Grains.GetGrain<IModelGrain>(name);
        var signature = new MlopsAspire.Abstractions.ModelSignature([new("x", "FP32", [-1, 2])], [new("p", "FP32", [-1, outputWidth])]);
        for (var i = 1; i <= (shadowVersion ? 2 : 1); i++)
        {
            var version = await model.RegisterVersionAsync(new RegisterVersionRequest(
                new string((char)('a' + i), 64), 1024, "onnx", "test", "tester", new Dictionary<string, double>(), config, DeclaredSignature: signature));
            await model.BeginValidationAsync(version.Version, "tester");
            await model.RecordValidationAsync(version.Version, new MlopsAspire.Abstractions.ValidationReport(true, "ok", [], [], new Dictionary<int, double>()), "tester");
        }

        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        if (shadowVersion)
        {
            await model.SetShadowAsync("2", 1.0, new ChangeContext("tester", "compare"));
        }

        return name;
    }
}
