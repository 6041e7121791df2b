using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mlops.V1;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Training.Trainers;
using MlopsAspire.TrainingWorker;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// The training worker's runner against a real control plane (silo, store, management API): a user's model registered
/// with a config, labelled rows in the payload log, a run carried out by an allow-listed command trainer or a built-in
/// one, and the candidate registered with lineage and put in shadow.
/// </summary>
public sealed class RetrainingWorkerTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private const string Config = """
        { "task": "binary-classification", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } },
          "outputs": { "score": "p" }, "training": TRAINING }
        """;

    [Theory]
    [InlineData("""{ "trainer": "command", "command": "fit-logistic", "label": "rain", "parameters": { "iterations": 300 } }""", "command", "fit-logistic")]
    [InlineData("""{ "trainer": "mlnet-lightgbm", "label": "rain", "parameters": { "NumberOfLeaves": 8 } }""", "mlnet-lightgbm", "")]
    public async Task A_run_trains_on_labelled_production_rows_registers_the_candidate_with_lineage_and_shadows_it(string training, string trainer, string command)
    {
        var name = await RegisterAsync(training);
        await LogLabelledRowsAsync(name, 1200);
        var retraining = host.Grains.GetGrain<IModelRetrainingGrain>(name);
        await retraining.SetPolicy(RetrainingPolicyData.Default with { MinimumRows = 1000, LabelWait = TimeSpan.Zero, ShadowSampleRate = 0.5 });
        await retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "new labels", "operator", DateTimeOffset.UtcNow.AddHours(-1)));

        var ended = await Runner().RunAsync(retraining, (await retraining.Claim("worker"))!, CancellationToken.None);

        Assert.True(ended.Status == RetrainingRunStatus.Succeeded, ended.Reason);
        Assert.Equal("2", ended.CandidateVersion);
        Assert.StartsWith("AUC ", ended.Reason);
        var client = host.Client(ControlPlaneHost.OperatorKey);
        var candidate = await client.GetVersionAsync(new GetVersionRequest { Name = name, Version = "2" });
        Assert.Equal(Mlops.V1.ModelVersionState.Shadow, candidate.State);
        Assert.Equal(("1", trainer, command, 1200L), (candidate.Lineage.ParentVersion, candidate.Lineage.Trainer, candidate.Lineage.Command, candidate.Lineage.TrainingRows));
        Assert.True(candidate.Lineage.HasReferenceProfile);
        Assert.Contains(ended.RunId, candidate.Lineage.Trigger);
        Assert.True(candidate.OfflineMetrics["auc"] > candidate.OfflineMetrics["parent_auc"]);
        Assert.Contains("\"training\"", candidate.ServingConfigJson);
        Assert.Equal("test upload — retrained from version 1 on 1200 labelled production rows", candidate.Description);
        if (command.Length > 0)
        {
            Assert.Equal("300", candidate.Lineage.Parameters["iterations"]);
            Assert.Equal(0, ended.Metrics!["command_exit_code"]);
            Assert.Contains(ended.Steps!, step => step.Contains("command: command 'fit-logistic' exited with code 0", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("", "1", "retrained from version 1 on 500 labelled production rows")]
    [InlineData(null, "1", "retrained from version 1 on 500 labelled production rows")]
    [InlineData("churn model", "1", "churn model — retrained from version 1 on 500 labelled production rows")]
    [InlineData("churn model — retrained from version 1 on 3400 labelled production rows", "2", "churn model — retrained from version 2 on 500 labelled production rows")]
    [InlineData("retrained from version 1 on 3400 labelled production rows", "2", "retrained from version 2 on 500 labelled production rows")]
    public void A_candidate_is_described_by_its_lineage_first_words_and_its_own_provenance_once(string? parent, string parentVersion, string expected) =>
        Assert.Equal(expected, RetrainingRunner.CandidateDescription(parent, parentVersion, 500));

    [Fact]
    public async Task A_command_the_worker_does_not_allow_list_fails_the_run_as_could_not_start()
    {
        var name = await RegisterAsync("""{ "trainer": "command", "command": "fit-forest", "label": "rain" }""");
        var retraining = host.Grains.GetGrain<IModelRetrainingGrain>(name);
        await retraining.Request(new RetrainingTrigger(RetrainingTrigger.Manual, "new labels", "operator"));

        var ended = await Runner().RunAsync(retraining, (await retraining.Claim("worker"))!, CancellationToken.None);

        Assert.Equal(RetrainingRunStatus.Failed, ended.Status);
        Assert.True(ended.CouldNotStart);
        Assert.Equal("no trainer for version 1: command 'fit-forest' is not allow-listed on this worker (Training:Commands); allow-listed: fit-logistic", ended.Reason);
        var status = await host.Client(ControlPlaneHost.ReaderKey).GetRetrainingAsync(new GetRetrainingRequest { Name = name });
        Assert.True(Assert.Single(status.Runs).CouldNotStart);
    }

    private RetrainingRunner Runner()
    {
        var options = new TrainingWorkerOptions
        {
            ApiKey = ControlPlaneHost.OperatorKey,
            LabelPollInterval = TimeSpan.FromMilliseconds(100),
            Commands =
            {
                ["fit-logistic"] = new CommandTrainerOptions
                {
                    Executable = "bash",
                    Arguments = [Path.Combine(AppContext.BaseDirectory, "train.sh"), "{data}", "{parent}", "{output}", "--label", "{label}"],
                    TimeLimit = TimeSpan.FromMinutes(5),
                },
            },
        };
        options.Validate();
        return new RetrainingRunner(
            host.ClusterClient,
            host.Artifacts,
            host.Payloads,
            host.Client(ControlPlaneHost.OperatorKey),
            new TrainerCatalog(options.Commands, TimeProvider.System),
            Options.Create(options),
            TimeProvider.System,
            NullLogger<RetrainingRunner>.Instance);
    }

    /// <summary>Registers and promotes a logistic regression that knows little (small weights) with a config naming <paramref name="training"/>.</summary>
    private async Task<string> RegisterAsync(string training)
    {
        var name = ControlPlaneHost.UniqueModelName("retrainer");
        var client = host.Client(ControlPlaneHost.OperatorKey);
        var content = TestOnnxModels.Logistic([0.05f, 0.3f, 0]);
        var metadata = Uploads.Metadata(name, content);
        metadata.ServingConfigJson = Config.Replace("TRAINING", training, StringComparison.Ordinal);
        var registered = await client.RegisterAsync(metadata, content);
        Assert.Equal(Mlops.V1.ModelVersionState.Ready, registered.Version.State);
        await client.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "baseline" });
        return name;
    }

    /// <summary>Rows as replicas log them (one per request) and their labels as feedback joins them: rain when 2 x0 − x1 is high.</summary>
    private async Task LogLabelledRowsAsync(string name, int count)
    {
        var random = new Random(5);
        var labels = new List<FeedbackLabel>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            float[] features = [(float)(random.NextDouble() * 4 - 2), (float)(random.NextDouble() * 4 - 2), (float)random.NextDouble()];
            var rain = random.NextDouble() < 1 / (1 + Math.Exp(-(3 * features[0] - 1.5 * features[1]))) ? 1f : 0f;
            var id = $"{name}-{i}";
            await host.Payloads.AppendAsync(new PayloadRecord(name, "1", id, now.AddSeconds(-count + i), 3, features, [0.5f]));
            labels.Add(new FeedbackLabel(id, [rain]));
        }

        var joined = await host.Payloads.JoinAsync(name, labels, now);
        Assert.Equal(count, joined.Joined.Count);
    }
}
