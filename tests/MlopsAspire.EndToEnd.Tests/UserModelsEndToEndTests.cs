using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Inference;
using Mlops.V1;
using MlopsAspire.Cli.Scenarios;
using MlopsAspire.ControlPlane.Tests;
using MlopsAspire.LogisticRegressionTrainer;
using Xunit.Abstractions;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Models the platform did not train, as a user brings them (input "x", outputs "p", "y" or "probabilities"), each with
/// its config: a rain classifier trained elsewhere on real Seattle weather of the warm season, retrained by a built-in
/// trainer; the same classifier retrained by an allow-listed command; a regression and a multiclass model. Their
/// statistics name the config's features, profile predictions and show live metrics by task; then the cold season
/// arrives under both classifiers (temperatures fall, rain comes with other weather) and each heals unattended:
/// alert, run, shadow, gates, promotion.
/// </summary>
[Collection(AcceleratedPlatformCollection.Name)]
public sealed class UserModelsEndToEndTests(AcceleratedPlatformFixture platform, ITestOutputHelper output)
{
    private static readonly SeattleWeather Weather = SeattleWeather.Load();
    private static readonly float[] DemandWeights = [2f, -1f];
    private static readonly float[] SpeciesWeights = [2f, -1f, -1f, -1f, 2f, -1f, -1f, -1f, 2f];
    private static readonly string[] SpeciesClasses = ["setosa", "versicolor", "virginica"];

    [Fact]
    public async Task Models_a_user_brings_are_monitored_by_their_contract_and_heal_through_a_built_in_and_a_command_trainer()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var monitoring = new ModelMonitoring.ModelMonitoringClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        // Trained elsewhere: a logistic regression fitted on the warm season by the same small program the command
        // trainer runs, as a user's own script would.
        var warmModel = LogisticRegression.Fit(
            [.. Weather.WarmSeason.Select(day => day.Features.Select(value => (double)value).ToArray())],
            [.. Weather.WarmSeason.Select(day => day.Rain ? 1.0 : 0.0)], iterations: 1000, learningRate: 0.5);
        var warmOnnx = LinearOnnxModel.Write(warmModel, Onnx.ModelProto.Parser.ParseFrom(TestOnnxModels.Logistic([0f, 0f, 0f])), SeattleWeather.Features.Length).ToByteArray();
        var weather = new UserModel("rain", ModelKind.Binary, """
            { "task": "binary-classification",
              "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } },
              "outputs": { "score": "p", "classes": ["dry", "rain"] },
              "feedback": { "labels": "binary" },
              "training": { "trainer": "mlnet-logistic-regression", "label": "rain" } }
            """, warmOnnx);
        var scripted = weather with
        {
            Name = "rain-scripted",
            Config = weather.Config.Replace("""{ "trainer": "mlnet-logistic-regression", "label": "rain" }""", """{ "trainer": "command", "command": "fit-logistic", "label": "rain" }"""),
        };
        var demand = new UserModel("demand", ModelKind.Regression, """
            { "task": "regression", "inputs": { "x": { "features": ["price", "temperature"] } }, "outputs": { "score": "y" } }
            """, TestOnnxModels.Linear(DemandWeights));
        var species = new UserModel("species", ModelKind.Multiclass, """
            { "task": "multiclass-classification", "inputs": { "x": { "features": ["petal", "sepal", "stem"] } },
              "outputs": { "score": "probabilities", "classes": ["setosa", "versicolor", "virginica"] } }
            """, TestOnnxModels.Softmax(SpeciesWeights, SpeciesClasses.Length));
        UserModel[] models = [weather, scripted, demand, species];
        foreach (var model in models)
        {
            await RegisterAndPromoteAsync(management, model);
        }

        // Rain is hard to tell from temperatures and wind (about 3 days in 4 right): 15,000 rows give a holdout of
        // 3,000, four passes over the cold season, so the holdout measures the candidate as well as the callers will.
        var policies = new ClosedLoopPolicies { MinimumTrainingRows = 15000, GateMinimumLabelledRows = 1000, LabelWait = TimeSpan.FromMinutes(1) };
        await policies.ApplyAsync(management, monitoring, weather.Name, CancellationToken.None);
        await policies.ApplyAsync(management, monitoring, scripted.Name, CancellationToken.None);

        await using var traffic = new LabelledTraffic(platform.Inference, monitoring, models, Weather);
        var alerts = new AlertWatch(monitoring, [weather.Name, scripted.Name]);

        // Before the shift: every model's statistics speak its contract.
        var stats = new Dictionary<string, VersionStats>();
        foreach (var model in models)
        {
            stats[model.Name] = await EventuallyAsync(async () =>
            {
                var production = await ProductionStatsAsync(monitoring, model.Name);
                // The reference metrics are the first 3,000 labelled rows: the season changes only once they are set.
                return production is { HasReferenceProfile: true, Features.Count: > 0, Predictions.Count: > 0, LabelledRows: > 2000, ReferenceMetrics: not null } ? production : null;
            }, $"{model.Name}: profiled, judged and labelled", TimeSpan.FromSeconds(90));
        }

        // In season the rain model scores as it did on the warm days it was fitted on.
        AssertSpeaksItsContract(stats[weather.Name], "binary-classification", SeattleWeather.Features, "p");
        var warmAccuracy = Weather.WarmSeason.Count(day => warmModel.Predict(day.Features) >= 0.5 == day.Rain) / (double)Weather.WarmSeason.Count;
        output.WriteLine($"{weather.Name}: accuracy on the warm days {warmAccuracy:P1}, live in season {stats[weather.Name].Accuracy:P1} (AUC {stats[weather.Name].Auc:F3})");
        Assert.InRange(stats[weather.Name].Accuracy, warmAccuracy - 0.02, warmAccuracy + 0.02);
        Assert.InRange(stats[weather.Name].ReferenceMetrics.Accuracy, warmAccuracy - 0.02, warmAccuracy + 0.02);
        Assert.InRange(stats[weather.Name].Auc, 0.8, 1.0);
        AssertSpeaksItsContract(stats[demand.Name], "regression", ["price", "temperature"], "y");
        Assert.InRange(stats[demand.Name].Mae, 0.0, 0.2);
        Assert.InRange(stats[demand.Name].Rmse, stats[demand.Name].Mae, 0.3);
        // A multiclass model's prediction is profiled as class frequencies.
        AssertSpeaksItsContract(stats[species.Name], "multiclass-classification", ["petal", "sepal", "stem"], "class");
        Assert.InRange(stats[species.Name].Accuracy, 0.8, 1.0);
        Assert.InRange(stats[species.Name].MacroF1, 0.75, 1.0);

        // The cold season comes to both rain models: temperatures fall, and rain comes with other weather.
        var shiftedAt = DateTimeOffset.UtcNow;
        traffic.Shift();
        var healed = new Dictionary<string, string>();
        foreach (var model in new[] { weather, scripted })
        {
            healed[model.Name] = await EventuallyAsync(async () =>
            {
                var now = await management.GetModelAsync(new GetModelRequest { Name = model.Name });
                return now.ProductionVersion != "1" ? now.ProductionVersion : null;
            }, $"{model.Name}: a retrained version promoted", TimeSpan.FromSeconds(300), () => alerts.Describe());
        }

        // Live accuracy on the shifted traffic, as the callers saw it, against the candidate's holdout accuracy.
        foreach (var (name, trainer) in new[] { (weather.Name, "mlnet-logistic-regression"), (scripted.Name, "command") })
        {
            var version = await management.GetVersionAsync(new GetVersionRequest { Name = name, Version = healed[name] });
            Assert.Equal(("1", trainer), (version.Lineage.ParentVersion, version.Lineage.Trainer));
            var holdout = version.OfflineMetrics["accuracy"];
            var live = await EventuallyAsync(() => Task.FromResult(traffic.Accuracy(name, healed[name]) is { Rows: >= 3000 } measured ? measured : null), $"{name}: rows answered by {healed[name]}", TimeSpan.FromSeconds(60));
            output.WriteLine($"{name}: version {healed[name]} by {trainer}, holdout accuracy {holdout:P1}, live {live.Value:P1} over {live.Rows} rows");
            Assert.True(Math.Abs(live.Value - holdout) <= 0.02, $"{name}: live accuracy {live.Value:P2} vs holdout {holdout:P2}");
        }

        var scriptRun = Assert.Single((await management.GetRetrainingAsync(new GetRetrainingRequest { Name = scripted.Name })).Runs, run => run.CandidateVersion == healed[scripted.Name]);
        Assert.Contains(scriptRun.Steps, step => step.Contains("command 'fit-logistic' exited with code 0", StringComparison.Ordinal));

        // What the user was told, and when: nothing before the shift; the input that moved, the score, and accuracy after.
        output.WriteLine(alerts.Describe());
        foreach (var name in new[] { weather.Name, scripted.Name })
        {
            Assert.DoesNotContain(alerts.Raised(name), alert => alert.At < shiftedAt);
            var feature = Assert.Single(alerts.Raised(name), alert => alert is { Kind: "feature_drift", Subject: "temp_max" });
            output.WriteLine($"{name}: after the shift, " + string.Join(", ", alerts.Raised(name).Select(alert => $"{alert.Kind} {alert.Subject} +{(alert.At - shiftedAt).TotalSeconds:F1} s")));
            Assert.Contains(alerts.Raised(name), alert => alert.Kind == "prediction_drift" && alert.Subject == "p");
            Assert.Contains(alerts.Raised(name), alert => alert.Kind == "accuracy");
            // Raised on one of the first 3 windows of 2 s after the shift: judged by the window it names, not by when a
            // loaded machine got round to judging it (a grace second after the window's end, on the next tick).
            var window = WindowOf(feature.Detail);
            Assert.True(window < shiftedAt + TimeSpan.FromSeconds(3 * 2), $"{name}: temp_max alert on the window of {window:u}, {(window - shiftedAt).TotalSeconds:F1} s after the shift: {feature.Detail}");
        }

        await alerts.DisposeAsync();
    }

    /// <summary>The start of the window a drift alert was raised on, from its detail ("window 2026-12-07 23:30:00Z: PSI …").</summary>
    private static DateTimeOffset WindowOf(string detail)
    {
        const string Prefix = "window ";
        Assert.StartsWith(Prefix, detail, StringComparison.Ordinal);
        return DateTimeOffset.ParseExact(detail.Substring(Prefix.Length, "yyyy-MM-dd HH:mm:ssZ".Length), "u", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
    }

    private static void AssertSpeaksItsContract(VersionStats stats, string task, string[] features, string prediction)
    {
        Assert.Equal(task, stats.Task);
        Assert.DoesNotContain(stats.Limitations, limitation => !limitation.StartsWith("retraining", StringComparison.Ordinal));
        Assert.Equal(features, stats.Features.Select(feature => feature.Name));
        Assert.Equal(prediction, Assert.Single(stats.Predictions).Name);
    }

    private static async Task RegisterAndPromoteAsync(ModelManagement.ModelManagementClient management, UserModel model)
    {
        using (var upload = management.RegisterModel())
        {
            await upload.RequestStream.WriteAsync(new RegisterModelRequest
            {
                Metadata = new RegisterModelMetadata { Name = model.Name, Size = model.Onnx.Length, ServingConfigJson = model.Config, Description = "trained elsewhere" },
            });
            await upload.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(model.Onnx) });
            await upload.RequestStream.CompleteAsync();
            var registered = await upload;
            Assert.Equal("1", registered.Version.Version);
        }

        await management.PromoteAsync(new PromoteRequest { Name = model.Name, Version = "1", Reason = "first version" });
    }

    private static async Task<VersionStats?> ProductionStatsAsync(ModelMonitoring.ModelMonitoringClient monitoring, string name)
    {
        var stats = await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = name, Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });
        return stats.Versions.SingleOrDefault(version => version.Role == "production");
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan patience, Func<string>? describe = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within {patience.TotalSeconds} s: {what}{(describe is null ? "" : Environment.NewLine + describe())}");
            await Task.Delay(500);
        }
    }

    private enum ModelKind
    {
        Binary,
        Regression,
        Multiclass,
    }

    private sealed record UserModel(string Name, ModelKind Kind, string Config, byte[] Onnx);

    private sealed record Measured(double Value, long Rows);

    /// <summary>Every alert raised on the watched models' production versions, seen by polling their statistics each second.</summary>
    private sealed class AlertWatch : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<(string Model, string Kind, string Subject), AlertInfo> _raised = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _polling;

        public AlertWatch(ModelMonitoring.ModelMonitoringClient monitoring, string[] models) =>
            _polling = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    foreach (var model in models)
                    {
                        try
                        {
                            var stats = await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = model }, cancellationToken: _stop.Token);
                            foreach (var alert in stats.Versions.Where(version => version.Version == "1").SelectMany(version => version.ActiveAlerts))
                            {
                                _raised.TryAdd((model, alert.Kind, alert.Subject), alert);
                            }
                        }
                        catch (RpcException) when (!_stop.IsCancellationRequested)
                        {
                            // A busy control plane answers the next poll.
                        }
                        catch (Exception) when (_stop.IsCancellationRequested)
                        {
                            return;
                        }
                    }

                    await Task.Delay(1000, CancellationToken.None);
                }
            });

        public IReadOnlyList<(string Kind, string Subject, DateTimeOffset At, string Detail)> Raised(string model) =>
            [.. _raised.Where(pair => pair.Key.Model == model).Select(pair => (pair.Key.Kind, pair.Key.Subject, pair.Value.At.ToDateTimeOffset(), pair.Value.Detail)).OrderBy(alert => alert.Item3)];

        public string Describe() => string.Join(Environment.NewLine, _raised.OrderBy(pair => pair.Value.At).Select(pair => $"{pair.Value.At} {pair.Key.Model} {pair.Key.Kind} {pair.Key.Subject}: {pair.Value.Detail}"));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _polling;
            _stop.Dispose();
        }
    }

    /// <summary>
    /// One caller per model sending 16-row requests with ids (about 25 a second) and the true labels for them half a
    /// second later, counting by version what the callers saw. The rain models get real days of the warm season, and
    /// after <see cref="Shift"/> of the cold season, each with whether it rained.
    /// </summary>
    private sealed class LabelledTraffic : IAsyncDisposable
    {
        private const int Rows = 16;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _callers = [];
        private readonly ConcurrentDictionary<(string Model, string Version), long[]> _correct = new();
        private volatile bool _shifted;

        public LabelledTraffic(GRPCInferenceService.GRPCInferenceServiceClient inference, ModelMonitoring.ModelMonitoringClient monitoring, UserModel[] models, SeattleWeather weather)
        {
            foreach (var (model, seed) in models.Select((model, index) => (model, index)))
            {
                var random = new Random(100 + seed);
                var seasons = (new SeasonReplay(weather.WarmSeason, random), new SeasonReplay(weather.ColdSeason, random));
                _callers.Add(Task.Run(() => RunAsync(inference, monitoring, model, random, seasons)));
            }
        }

        public void Shift() => _shifted = true;

        /// <summary>Share of rows answered by <paramref name="version"/> of <paramref name="model"/> on the right side of 0.5.</summary>
        public Measured? Accuracy(string model, string version) =>
            _correct.TryGetValue((model, version), out var counts) && Interlocked.Read(ref counts[1]) > 0
                ? new Measured((double)Interlocked.Read(ref counts[0]) / Interlocked.Read(ref counts[1]), Interlocked.Read(ref counts[1]))
                : null;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_callers);
            _stop.Dispose();
        }

        private async Task RunAsync(
            GRPCInferenceService.GRPCInferenceServiceClient inference, ModelMonitoring.ModelMonitoringClient monitoring, UserModel model, Random random, (SeasonReplay Warm, SeasonReplay Cold) seasons)
        {
            var pending = new FeedbackRequest { ModelName = model.Name };
            var lastSent = DateTime.UtcNow;
            var index = 0;
            while (!_stop.IsCancellationRequested)
            {
                var days = model.Kind == ModelKind.Binary ? Enumerable.Range(0, Rows).Select(_ => (_shifted ? seasons.Cold : seasons.Warm).Next()).ToArray() : null;
                var features = days?.Select(day => day.Features).ToArray() ?? Enumerable.Range(0, Rows).Select(_ => Row(model.Kind, random)).ToArray();
                var request = new ModelInferRequest { ModelName = model.Name, Id = $"{model.Name}-{index++}" };
                var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { Rows, features[0].Length }, Contents = new() };
                input.Contents.Fp32Contents.AddRange(features.SelectMany(row => row));
                request.Inputs.Add(input);
                try
                {
                    var response = await inference.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: _stop.Token);
                    var item = new FeedbackItem { RequestId = request.Id };
                    if (model.Kind == ModelKind.Multiclass)
                    {
                        item.ClassLabels.AddRange(features.Select(row => SpeciesClasses[Species(row, random)]));
                    }
                    else
                    {
                        var labels = days?.Select(day => day.Rain ? 1f : 0f).ToArray() ?? [.. features.Select(row => Demand(row, random))];
                        item.Labels.AddRange(labels);
                        if (model.Kind == ModelKind.Binary)
                        {
                            Count(model.Name, response, labels);
                        }
                    }

                    pending.Items.Add(item);
                }
                catch (RpcException) when (!_stop.IsCancellationRequested)
                {
                    // A request that fails is not labelled; the platform's own statistics count it.
                }
                catch (RpcException)
                {
                    return;
                }

                if (pending.Items.Count > 0 && DateTime.UtcNow - lastSent > TimeSpan.FromMilliseconds(500))
                {
                    try
                    {
                        await monitoring.SendFeedbackAsync(pending, cancellationToken: _stop.Token);
                    }
                    catch (RpcException) when (!_stop.IsCancellationRequested)
                    {
                        // Labels lost to a busy control plane are only fewer labels.
                    }
                    catch (RpcException)
                    {
                        return;
                    }

                    pending = new FeedbackRequest { ModelName = model.Name };
                    lastSent = DateTime.UtcNow;
                }

                try
                {
                    await Task.Delay(40, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private void Count(string model, ModelInferResponse response, float[] labels)
        {
            var output = response.Outputs.Single(o => o.Name == "p");
            var scores = response.RawOutputContents.Count > 0
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[response.Outputs.IndexOf(output)].Span).ToArray()
                : [.. output.Contents.Fp32Contents];
            var counts = _correct.GetOrAdd((model, response.ModelVersion), _ => new long[2]);
            Interlocked.Add(ref counts[0], scores.Zip(labels).Count(pair => (pair.First >= 0.5f) == (pair.Second >= 0.5f)));
            Interlocked.Add(ref counts[1], labels.Length);
        }

        private static float[] Row(ModelKind kind, Random random) => kind == ModelKind.Regression
            ? [Normal(random), Normal(random)]
            : [Normal(random), Normal(random), Normal(random)];

        private static float Demand(float[] row, Random random) => Dot(DemandWeights, row) + 0.1f * Normal(random);

        private static int Species(float[] row, Random random)
        {
            var scores = Enumerable.Range(0, SpeciesClasses.Length).Select(c => Enumerable.Range(0, row.Length).Sum(i => row[i] * SpeciesWeights[i * SpeciesClasses.Length + c]) + 0.3f * Normal(random)).ToArray();
            return Array.IndexOf(scores, scores.Max());
        }

        private static float Dot(float[] weights, float[] row) => weights.Zip(row).Sum(pair => pair.First * pair.Second);

        private static float Normal(Random random) =>
            (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
    }
}
