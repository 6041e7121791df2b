using System.Text.Json;
using System.Text.Json.Serialization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mlops.V1;
using AuditEvent = MlopsAspire.Abstractions.AuditEvent;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.ControlPlane.Tests;
using MlopsAspire.FraudData;
using MlopsAspire.Training;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Stopping and starting the whole platform on the same data folder loses nothing: models, their audit trail, the
/// statistics and reference profile monitoring built from production traffic, live metrics from feedback, promotion
/// and retraining policies, and retraining runs all answer as they did. That holds for the <c>fraud</c> demo and for
/// a model a user brings with its own contract (<c>rain</c>: input "x", output "p"): its config, the profile with
/// named features and a prediction profile, task metrics, and a retrained candidate with its lineage.
/// </summary>
public sealed class PersistenceEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Rain = "rain";

    /// <summary>
    /// 10-second monitoring windows: a window judged after the restart shows within seconds, and the 60 recent windows
    /// a monitor persists (10 minutes of them) still hold everything served before the stop.
    /// </summary>
    private static readonly string[] Arguments = ["--Monitoring:Window=00:00:10", "--Monitoring:Grace=00:00:01"];

    private static readonly string[] WeatherFeatures = ["temp_max", "temp_min", "humidity"];

    private static readonly string RainConfig = """
        { "task": "binary-classification",
          "inputs": { "x": { "features": ["temp_max", "temp_min", "humidity"] } },
          "outputs": { "score": "p", "classes": ["dry", "rain"] },
          "feedback": { "labels": "binary" },
          "training": { "trainer": "mlnet-logistic-regression", "label": "rain" },
          "max_batch_size": 32 }
        """;

    // The served model underrates humidity: live accuracy is well above chance, and a retrained candidate beats it.
    private static readonly float[] ServedWeights = [1.5f, -1f, 0.5f];
    private static readonly float[] RainWeights = [1.5f, -1f, 1.5f];

    private static readonly JsonSerializerOptions StoredForm = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mlops-e2e-restart-" + Guid.NewGuid().ToString("N"));

    /// <summary>The processes of both platforms, so that the data folder is deleted once they are gone.</summary>
    private readonly List<System.Diagnostics.Process> _processes = [];

    [Fact]
    public async Task A_restart_keeps_models_monitoring_policies_retraining_and_the_audit_trail()
    {
        Platform before;
        Platform rainBefore;
        GrainView grainsBefore;
        ModelConfigResponse rainConfigBefore;
        RainTraffic rain;
        DateTimeOffset stoppedAt;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var first = await PlatformFixture.StartAsync(_dataDirectory, Arguments))
        {
            var firstProcesses = await PlatformProcesses.OfAsync(first);
            _processes.AddRange(firstProcesses);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s: platform started");
            var management = new ModelManagement.ModelManagementClient(ControlPlane(first));
            var monitoring = new ModelMonitoring.ModelMonitoringClient(ControlPlane(first));
            using var channel = PlatformFixture.CreateInferenceChannel(first);
            var inference = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

            // The user's model first: the replicas load it while fraud is served.
            await RegisterAndPromoteRainAsync(management);
            await SetRainPoliciesAsync(management, monitoring);

            // Traffic with ids (statistics windows, logged payloads), labels for it, policies, and a retraining run.
            // 120 requests of 20 rows: more than the 2,000 rows the monitor profiles production from.
            var generator = new FraudDataGenerator(new FraudDataOptions { Seed = 3 });
            var requests = Enumerable.Range(0, 120).Select(_ => generator.Generate(20).ToArray()).ToArray();
            for (var i = 0; i < requests.Length; i++)
            {
                await inference.ModelInferAsync(FraudRequest($"restart-{i}", requests[i]));
            }

            // Labels once the profile exists: building it starts the statistics afresh.
            var statsRequest = new GetStatsRequest { ModelName = DemoModels.FraudModelName, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
            await EventuallyAsync(async () => (await monitoring.GetStatsAsync(statsRequest)).Versions.Single().HasReferenceProfile, "fraud: profiled");
            var feedback = new FeedbackRequest { ModelName = DemoModels.FraudModelName, BatchId = "restart-labels" };
            feedback.Items.AddRange(requests.Select((rows, i) => new FeedbackItem { RequestId = $"restart-{i}", Labels = { rows.Select(row => row.IsFraud ? 1f : 0f) } }));
            Assert.True((await monitoring.SendFeedbackAsync(feedback)).Joined > 0);
            await monitoring.SetPromotionPolicyAsync(new SetPromotionPolicyRequest
            {
                ModelName = DemoModels.FraudModelName,
                Policy = new PromotionPolicy { MinimumRows = 1234, MinimumShadowAgreement = 0.97, EvaluationSpan = Duration.FromTimeSpan(TimeSpan.FromMinutes(20)) },
            });
            await management.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
            {
                Name = DemoModels.FraudModelName,
                Policy = new RetrainingPolicy
                {
                    Enabled = true,
                    OnAccuracyAlert = true,
                    Cooldown = Duration.FromTimeSpan(TimeSpan.FromMinutes(45)),
                    DataWindow = Duration.FromTimeSpan(TimeSpan.FromHours(3)),
                    MinimumRows = 5000,
                    LabelWait = Duration.FromTimeSpan(TimeSpan.Zero),
                    ShadowSampleRate = 0.5,
                },
            });
            var run = await management.RequestRetrainingAsync(new RequestRetrainingRequest { Name = DemoModels.FraudModelName, Reason = "before the restart" });

            // Rain is served labelled traffic until its monitor has profiled it (features by their names, and the
            // prediction), judged a window against that profile, and shows live metrics of its task.
            await EventuallyAsync(() => IsLoadedAsync(management, "1"), "rain/1: loaded on every replica");
            rain = new RainTraffic(inference, monitoring, "before", seed: 1);
            await EventuallyAsync(async () =>
            {
                await rain.SendAsync();
                return await RainStatsAsync(monitoring, "1") is { HasReferenceProfile: true, LastWindowInsufficient: false, Predictions.Count: 1, LabelledRows: >= 2000 } stats
                    && stats.Features.Select(feature => feature.Name).SequenceEqual(WeatherFeatures);
            }, "rain/1: profiled, judged by named features and its prediction, and labelled");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s: rain profiled and judged after {rain.Requests} requests");
            await EventuallyAsync(async () => await rain.LabelAsync() == 0, "rain: every request labelled");

            // A retraining run of rain trains a candidate on those labelled rows and puts it in shadow.
            var rainRun = await management.RequestRetrainingAsync(new RequestRetrainingRequest { Name = Rain, Reason = "before the restart" });
            await EventuallyAsync(async () => (await management.GetRetrainingAsync(new GetRetrainingRequest { Name = DemoModels.FraudModelName }))
                .Runs.Any(r => r.RunId == run.RunId && r.Status is "failed" or "succeeded"), "fraud: the retraining run ended");
            var rainRunEnded = await EventuallyAsync(async () => (await management.GetRetrainingAsync(new GetRetrainingRequest { Name = Rain }))
                .Runs.SingleOrDefault(r => r.RunId == rainRun.RunId && r.Status is "failed" or "succeeded"), "rain: the retraining run ended");
            Assert.True(rainRunEnded is { Status: "succeeded", CandidateVersion: "2" }, $"rain's run: {rainRunEnded.Status}: {rainRunEnded.Reason}");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s: retraining runs ended");

            before = await ReadAsync(first, DemoModels.FraudModelName, fraud => fraud.Versions.Single().LabelledRows > 0);
            // Once every request and label is counted, and the first labelled rows have set the reference metrics.
            rainBefore = await ReadAsync(first, Rain, stats => stats.Versions.Single(v => v.Version == "1") is { ReferenceMetrics: not null } served
                && served.Requests == rain.Requests && served.LabelledRows == rain.LabelledRows);
            rainConfigBefore = await inference.ModelConfigAsync(new ModelConfigRequest { Name = Rain, Version = "1" });
            grainsBefore = await ReadGrainsAsync(first);
            await first.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            // The orchestrator has told every process to stop; disposing the platform would kill those still
            // stopping. A stop as a user makes it lets each finish: the silo leaves and its grains write their state.
            var stillRunning = await PlatformProcesses.WaitForExitAsync(firstProcesses, TimeSpan.FromMinutes(1));
            stoppedAt = DateTimeOffset.UtcNow;
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s: platform stopped ({stillRunning.Count} of {firstProcesses.Count} processes still running)");
        }

        await using var second = await PlatformFixture.StartAsync(_dataDirectory, Arguments);
        _processes.AddRange(await PlatformProcesses.OfAsync(second));
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s: platform restarted");
        var after = await ReadAsync(second, DemoModels.FraudModelName, _ => true);
        var rainAfter = await ReadAsync(second, Rain, _ => true);
        var grainsAfter = await ReadGrainsAsync(second);

        // The seeded model was recovered, not registered again: same events with the same timestamps.
        Assert.Contains(grainsBefore.FraudAudit, e => e.Action == "promote" && e.Version == "1");
        Assert.Equal(grainsBefore.FraudAudit, grainsAfter.FraudAudit.Take(grainsBefore.FraudAudit.Count));
        using var restartedChannel = PlatformFixture.CreateInferenceChannel(second);
        var restartedInference = new GRPCInferenceService.GRPCInferenceServiceClient(restartedChannel);
        var metadata = await restartedInference.ModelMetadataAsync(new ModelMetadataRequest { Name = DemoModels.FraudModelName });
        Assert.Equal(["1"], metadata.Versions);
        Assert.True(before.Stats.Versions.Single().HasReferenceProfile);

        var (fraudBefore, fraudAfter) = (before.Stats.Versions.Single(), after.Stats.Versions.Single());
        Assert.Empty(fraudAfter.Unavailable);
        Assert.True(fraudAfter.HasReferenceProfile);
        Assert.Equal(fraudBefore.Requests, fraudAfter.Requests);
        Assert.Equal(fraudBefore.LabelledRows, fraudAfter.LabelledRows);
        Assert.Equal(fraudBefore.Accuracy, fraudAfter.Accuracy);
        Assert.Equal(before.Gates.Policy, after.Gates.Policy);
        Assert.Equal(before.Retraining.Policy, after.Retraining.Policy);
        Assert.Equal(before.Retraining.Runs, after.Retraining.Runs);
        Assert.Equal(before.Audit.Events, after.Audit.Events);

        AssertRainReadsBack(rainBefore, rainAfter, grainsBefore, grainsAfter);

        // Replicas load both versions with the registered config; the monitor takes the next labelled traffic into a
        // new window, judged by the same named features and prediction, and counts it on top of what it had.
        var restartedManagement = new ModelManagement.ModelManagementClient(ControlPlane(second));
        var restartedMonitoring = new ModelMonitoring.ModelMonitoringClient(ControlPlane(second));
        await EventuallyAsync(async () => await IsLoadedAsync(restartedManagement, "1") && await IsLoadedAsync(restartedManagement, "2"), "rain/1 and rain/2: loaded again on every replica");
        Assert.Equal(32, rainConfigBefore.Config.MaxBatchSize);
        Assert.Equal(rainConfigBefore, await restartedInference.ModelConfigAsync(new ModelConfigRequest { Name = Rain, Version = "1" }));
        var servedBefore = rainBefore.Stats.Versions.Single(v => v.Version == "1");
        var resumed = new RainTraffic(restartedInference, restartedMonitoring, "after", seed: 2);
        var judged = await EventuallyAsync(async () =>
        {
            await resumed.SendAsync();
            return await RainStatsAsync(restartedMonitoring, "1") is { LastWindow: { } last, LastWindowInsufficient: false, Predictions.Count: 1 } stats
                && last.ToDateTimeOffset() >= stoppedAt ? stats : null;
        }, "rain/1: a window begun after the stop judged");
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s: rain/1 judged a window after the restart");
        Assert.Equal(WeatherFeatures, judged.Features.Select(feature => feature.Name));
        Assert.Equal("p", judged.Predictions.Single().Name);
        await EventuallyAsync(async () => await resumed.LabelAsync() == 0, "rain: every request since the restart labelled");
        await EventuallyAsync(async () => await RainStatsAsync(restartedMonitoring, "1") is { } stats
            && stats.Requests == servedBefore.Requests + resumed.Requests && stats.LabelledRows == servedBefore.LabelledRows + resumed.LabelledRows,
            "rain/1: the requests and labels since the restart counted on top of those before");
    }

    /// <summary>Everything rain answered before the stop, it answers after the restart.</summary>
    private static void AssertRainReadsBack(Platform before, Platform after, GrainView grainsBefore, GrainView grainsAfter)
    {
        // The versions with their configs, task, limitations, validation and lineage; the aliases.
        Assert.Equal(Comparable(before.Model), Comparable(after.Model));
        Assert.Equal(RainConfig, after.Model.Versions.Single(v => v.Version == "1").ServingConfigJson);
        var candidate = after.Model.Versions.Single(v => v.Version == "2");
        Assert.Equal(("1", "mlnet-logistic-regression", RainConfig), (candidate.Lineage.ParentVersion, candidate.Lineage.Trainer, candidate.ServingConfigJson));
        Assert.True(candidate.Lineage is { HasReferenceProfile: true, TrainingRows: > 0 }, $"rain/2's lineage: {candidate.Lineage}");
        Assert.Equal(["2"], before.Model.Shadows.Select(shadow => shadow.Version));

        // Statistics: the counts, latencies, labelled rows and task metrics of every window kept, the reference metrics,
        // and the contract's task and limitations; the last judged window goes on below, a window judged since the
        // read may follow it.
        foreach (var version in new[] { "1", "2" })
        {
            var (served, restarted) = (before.Stats.Versions.Single(v => v.Version == version), after.Stats.Versions.Single(v => v.Version == version));
            Assert.Empty(restarted.Unavailable);
            Assert.Equal(Counted(served), Counted(restarted));
        }

        var production = after.Stats.Versions.Single(v => v.Version == "1");
        Assert.True(production is { Task: "binary-classification", HasReferenceProfile: true, LabelledRows: >= 2000, Accuracy: > 0.7, Auc: > 0.8, LogLoss: > 0 }, $"rain/1 after the restart: {production}");
        Assert.Empty(production.Limitations);
        Assert.True(production.ReferenceMetrics is { LabelledRows: >= 2000, Accuracy: > 0.7, Auc: > 0.8, LogLoss: > 0 }, $"rain/1's reference metrics after the restart: {production.ReferenceMetrics}");

        // The monitors' own state: the reference profiles (named features and the prediction), every judged window
        // and alert before the stop.
        foreach (var version in new[] { "1", "2" })
        {
            var (monitorBefore, monitorAfter) = (grainsBefore.Rain[version], grainsAfter.Rain[version]);
            Assert.NotNull(monitorBefore.Profile);
            Assert.Equal(WeatherFeatures, monitorBefore.Profile.Features.Select(feature => feature.Name));
            Assert.Equal("p", Assert.Single(monitorBefore.Profile.Predictions).Name);
            Assert.Equal(JsonSerializer.Serialize(monitorBefore.Profile, StoredForm), JsonSerializer.Serialize(monitorAfter.Profile, StoredForm));
            Assert.Equal(monitorBefore.Reports, monitorAfter.Reports.Take(monitorBefore.Reports.Count));
            Assert.Equal(monitorBefore.Alerts, monitorAfter.Alerts.Take(monitorBefore.Alerts.Count));
        }

        Assert.Contains(grainsBefore.Rain["1"].Reports, report => report.Contains("\"Name\":\"temp_max\"", StringComparison.Ordinal));

        // Policies, the run with its steps and metrics, and the trail.
        Assert.Equal(before.Gates.Policy, after.Gates.Policy);
        Assert.Equal(before.Retraining.Policy, after.Retraining.Policy);
        Assert.Equal(before.Retraining.Runs, after.Retraining.Runs);
        Assert.Equal(before.Audit.Events, after.Audit.Events.Take(before.Audit.Events.Count));
    }

    /// <summary>A model as compared across the restart: without what replicas report about loading it, or its revision (an alert audited since the read moves it).</summary>
    private static Model Comparable(Model model)
    {
        var copy = model.Clone();
        copy.Revision = 0;
        foreach (var version in copy.Versions)
        {
            version.ReplicaLoad = null;
        }

        return copy;
    }

    /// <summary>A version's statistics without the last judged window's drift and the active alerts, which a window judged since the read changes.</summary>
    private static VersionStats Counted(VersionStats stats)
    {
        var copy = stats.Clone();
        copy.LastWindow = null;
        copy.LastWindowInsufficient = false;
        copy.Features.Clear();
        copy.Predictions.Clear();
        copy.ActiveAlerts.Clear();
        return copy;
    }

    private static async Task RegisterAndPromoteRainAsync(ModelManagement.ModelManagementClient management)
    {
        var onnx = TestOnnxModels.Logistic(ServedWeights);
        using (var upload = management.RegisterModel())
        {
            await upload.RequestStream.WriteAsync(new RegisterModelRequest
            {
                Metadata = new RegisterModelMetadata { Name = Rain, Size = onnx.Length, ServingConfigJson = RainConfig, Description = "trained elsewhere" },
            });
            await upload.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(onnx) });
            await upload.RequestStream.CompleteAsync();
            Assert.Equal("1", (await upload).Version.Version);
        }

        await management.PromoteAsync(new PromoteRequest { Name = Rain, Version = "1", Reason = "first version" });
    }

    /// <summary>Rain is retrained on accuracy alerts (but the cool-down after the manual run keeps it to that run); its candidates wait for an operator.</summary>
    private static async Task SetRainPoliciesAsync(ModelManagement.ModelManagementClient management, ModelMonitoring.ModelMonitoringClient monitoring)
    {
        await monitoring.SetPromotionPolicyAsync(new SetPromotionPolicyRequest
        {
            ModelName = Rain,
            Policy = new PromotionPolicy
            {
                MinimumRows = 800,
                MinimumLabelledRows = 400,
                MaximumAccuracyDrop = 0.01,
                MaximumP99Ratio = 3,
                EvaluationSpan = Duration.FromTimeSpan(TimeSpan.FromMinutes(15)),
            },
        });
        await management.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
        {
            Name = Rain,
            Policy = new RetrainingPolicy
            {
                Enabled = true,
                OnAccuracyAlert = true,
                Cooldown = Duration.FromTimeSpan(TimeSpan.FromMinutes(45)),
                DataWindow = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
                MinimumRows = 1000,
                LabelWait = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
                ShadowSampleRate = 0.25,
            },
        });
    }

    private static async Task<bool> IsLoadedAsync(ModelManagement.ModelManagementClient management, string version) =>
        (await management.GetVersionAsync(new GetVersionRequest { Name = Rain, Version = version })).ReplicaLoad is { Replicas: > 0 } load
        && load.Loaded == load.Replicas;

    private static async Task<VersionStats?> RainStatsAsync(ModelMonitoring.ModelMonitoringClient monitoring, string version) =>
        (await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = Rain, Version = version, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) }))
            .Versions.SingleOrDefault();

    private sealed record Platform(Model Model, ModelStats Stats, GateReports Gates, RetrainingStatus Retraining, AuditLog Audit);

    /// <summary>Everything an operator reads about <paramref name="model"/>, once its statistics are <paramref name="counted"/>.</summary>
    private static async Task<Platform> ReadAsync(DistributedApplication app, string model, Func<ModelStats, bool> counted)
    {
        var management = new ModelManagement.ModelManagementClient(ControlPlane(app));
        var monitoring = new ModelMonitoring.ModelMonitoringClient(ControlPlane(app));
        var statsRequest = new GetStatsRequest { ModelName = model, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
        ModelStats? stats = null;
        await EventuallyAsync(async () => counted(stats = await monitoring.GetStatsAsync(statsRequest)), $"{model}: statistics counted");
        return new Platform(
            await management.GetModelAsync(new GetModelRequest { Name = model }),
            stats!,
            await monitoring.GetGatesAsync(new GetGatesRequest { ModelName = model }),
            await management.GetRetrainingAsync(new GetRetrainingRequest { Name = model }),
            await management.GetAuditLogAsync(new GetAuditLogRequest { Name = model, PageSize = 1000 }));
    }

    private static CallInvoker ControlPlane(DistributedApplication app) =>
        GrpcChannel.ForAddress(app.GetEndpoint("control-plane", "grpc")).CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {PlatformFixture.OperatorKey}");
            return metadata;
        });

    private static ModelInferRequest FraudRequest(string id, FraudTransaction[] rows)
    {
        var request = new ModelInferRequest { ModelName = DemoModels.FraudModelName, Id = id };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "Features",
            Datatype = "FP32",
            Shape = { rows.Length, FraudFeatures.Count },
            Contents = new InferTensorContents { Fp32Contents = { rows.SelectMany(row => row.Features) } },
        });
        return request;
    }

    /// <summary>Waits for what the platform does in the background (statistics flushes, a training run) to show.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what) =>
        await EventuallyAsync(async () => await condition() ? what : null, what);

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within 2 minutes: {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>What the grains hold that no API returns whole: fraud's audit events, rain's monitors (profile, judged windows, alerts).</summary>
    private sealed record GrainView(IReadOnlyList<AuditEvent> FraudAudit, IReadOnlyDictionary<string, MonitorView> Rain);

    /// <summary>A monitor's reference profile, and its judged windows and alerts in their stored form (JSON), oldest first.</summary>
    private sealed record MonitorView(ReferenceProfileData? Profile, IReadOnlyList<string> Reports, IReadOnlyList<string> Alerts);

    /// <summary>Reads the grains as an Orleans client of the platform's cluster.</summary>
    private static async Task<GrainView> ReadGrainsAsync(DistributedApplication app)
    {
        var store = await app.GetConnectionStringAsync("store")
            ?? throw new InvalidOperationException("The AppHost has no 'store' connection string.");
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseRedisClustering(store)
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = "mlops";
                options.ServiceId = "mlops";
            }));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var model = grains.GetGrain<IModelGrain>(DemoModels.FraudModelName);
            var events = new List<AuditEvent>();
            AuditSlice<AuditEvent> slice;
            do
            {
                slice = await model.GetAuditLogAsync(events.Count, AuditSlices.MaxEvents);
                events.AddRange(slice.Events);
            }
            while (slice.Events.Count > 0 && events.Count < slice.Total);

            var monitors = new Dictionary<string, MonitorView>(StringComparer.Ordinal);
            foreach (var version in new[] { "1", "2" })
            {
                var monitor = grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(Rain, version));
                monitors[version] = new MonitorView(
                    await monitor.GetReferenceProfile(),
                    [.. (await monitor.GetWindowReports(int.MaxValue)).Select(report => JsonSerializer.Serialize(report, StoredForm))],
                    [.. (await monitor.GetAlerts(int.MaxValue)).Select(alert => JsonSerializer.Serialize(alert, StoredForm))]);
            }

            return new GrainView(events, monitors);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// Rain's callers: each <see cref="SendAsync"/> sends 8 requests of 16 standardized weather rows with ids, then the
    /// true labels of every request whose payload the replicas have logged (the rest on a later call), counting what
    /// was served and labelled.
    /// </summary>
    private sealed class RainTraffic(GRPCInferenceService.GRPCInferenceServiceClient inference, ModelMonitoring.ModelMonitoringClient monitoring, string name, int seed)
    {
        private const int Rows = 16;
        private readonly Random _random = new(seed);
        private readonly Dictionary<string, float[]> _unlabelled = new(StringComparer.Ordinal);
        private int _batches;

        public long Requests { get; private set; }

        public long LabelledRows { get; private set; }

        public async Task SendAsync()
        {
            for (var i = 0; i < 8; i++)
            {
                var rows = Enumerable.Range(0, Rows).Select(_ => new[] { Normal(), Normal(), Normal() }).ToArray();
                var request = new ModelInferRequest { ModelName = Rain, Id = $"{name}-{Requests}" };
                request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
                {
                    Name = "x",
                    Datatype = "FP32",
                    Shape = { Rows, WeatherFeatures.Length },
                    Contents = new InferTensorContents { Fp32Contents = { rows.SelectMany(row => row) } },
                });
                await inference.ModelInferAsync(request);
                Requests++;
                _unlabelled[request.Id] = [.. rows.Select(row => row.Zip(RainWeights).Sum(pair => pair.First * pair.Second) + 0.3f * Normal() > 0 ? 1f : 0f)];
            }

            await LabelAsync();
        }

        /// <summary>Sends the labels still owed; returns how many requests still wait for their payload to be logged.</summary>
        public async Task<int> LabelAsync()
        {
            if (_unlabelled.Count == 0)
            {
                return 0;
            }

            var feedback = new FeedbackRequest { ModelName = Rain, BatchId = $"{name}-labels-{_batches++}" };
            feedback.Items.AddRange(_unlabelled.Select(pair => new FeedbackItem { RequestId = pair.Key, Labels = { pair.Value } }));
            var response = await monitoring.SendFeedbackAsync(feedback);
            Assert.True(response is { Unusable: "", Rejected.Count: 0 }, $"rain's labels: {response}");
            var unknown = response.UnknownRequestIds.ToHashSet(StringComparer.Ordinal);
            foreach (var id in _unlabelled.Keys.Where(id => !unknown.Contains(id)).ToList())
            {
                LabelledRows += _unlabelled[id].Length;
                _unlabelled.Remove(id);
            }

            return _unlabelled.Count;
        }

        private float Normal() =>
            (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => DataFolder.DeleteAsync(_dataDirectory, _processes);
}
