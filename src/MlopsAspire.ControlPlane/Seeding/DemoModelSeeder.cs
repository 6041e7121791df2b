using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts;
using MlopsAspire.ControlPlane.Validation;
using MlopsAspire.Training;

namespace MlopsAspire.ControlPlane.Seeding;

/// <summary>
/// Registers, validates and promotes the two demo models (<c>fraud</c>, <c>resnet18</c>) the first
/// time the platform starts. Models already registered (state persisted in the store) are left alone,
/// so a restart changes nothing and several silos may run this at once.
/// </summary>
public sealed partial class DemoModelSeeder(
    IGrainFactory grains,
    ArtifactStore artifacts,
    ArtifactValidator validator,
    IConfiguration configuration,
    ILogger<DemoModelSeeder> logger) : BackgroundService
{
    private const string Actor = "system:demo-seeder";
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once both demo models are served (or seeding is disabled).</summary>
    public Task Completed => _completed.Task;

    public string? FailureReason { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("ControlPlane:SeedDemoModels", true))
        {
            _completed.TrySetResult();
            return;
        }

        // Transient store or cluster trouble at start-up is retried; the health check stays unhealthy meanwhile.
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await SeedAsync(DemoModels.FraudModelName, "Fraud classifier (ML.NET FastTree) trained on generated transactions",
                    () => TrainFraud(), stoppingToken);
                await SeedAsync(DemoModels.ResNet18ModelName, "ResNet-18 image featurizer (512-d embedding), batch dimension made dynamic",
                    () => new DemoModel(DemoModels.LoadResNet18WithDynamicBatch(), "onnx", [], null, null), stoppingToken);
                FailureReason = null;
                _completed.TrySetResult();
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                FailureReason = ex.Message;
                LogSeedingFailed(ex, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, attempt * 2)), stoppingToken);
            }
        }
    }

    private DemoModel TrainFraud()
    {
        var seed = configuration.GetValue("ControlPlane:FraudSeed", 42);
        var model = DemoModels.TrainFraud(seed);
        var metrics = new Dictionary<string, double>(model.HoldoutMetrics.Values)
        {
            ["holdout_rows"] = model.HoldoutMetrics.Rows,
            ["seed"] = seed,
        };
        // The fraud model says what it is (task, feature names, score and label outputs, how to retrain it: the same
        // trainer and hyperparameters), so its monitoring and retraining work as for any model that declares it.
        var training = model.Contract.Training!;
        var lineage = new ModelLineage(
            ParentVersion: null,
            TrainingData: null,
            Trainer: training.Trainer,
            Parameters: new Dictionary<string, string>(training.Parameters),
            Seed: model.Seed,
            TrainingRows: DemoModels.FraudTrainingRows,
            Trigger: "demo model, generated transactions");
        return new DemoModel(model.OnnxModel, $"{training.Trainer}/onnx", metrics, lineage, FraudDemoModel.ConfigJson);
    }

    private async Task SeedAsync(
        string modelName,
        string description,
        Func<DemoModel> build,
        CancellationToken cancellationToken)
    {
        var model = grains.GetGrain<IModelGrain>(modelName);
        if (await model.ExistsAsync())
        {
            var existing = await model.GetAsync();
            if (existing.ProductionVersion is not null)
            {
                LogAlreadySeeded(modelName, existing.ProductionVersion);
                return;
            }
        }

        var (onnx, framework, metrics, lineage, config) = build();
        var artifact = await artifacts.PutAsync(onnx, cancellationToken);
        var version = await model.RegisterVersionAsync(new RegisterVersionRequest(
            artifact.Sha256, artifact.Size, framework, description, Actor, metrics, ServingConfigJson: config, Owner: "platform", Lineage: lineage));

        if (version.State is ModelVersionState.Registered or ModelVersionState.Validating)
        {
            await model.BeginValidationAsync(version.Version, Actor);
            var check = await validator.CheckAsync(modelName, onnx, servingConfigJson: null, cancellationToken);
            version = await model.RecordValidationAsync(version.Version, check.Report, Actor);
        }

        if (version.State == ModelVersionState.Failed)
        {
            throw new InvalidOperationException(
                $"Demo model '{modelName}' version {version.Version} failed validation: {version.Validation?.Detail}");
        }

        await model.PromoteAsync(version.Version, new ChangeContext(Actor, "demo model served on first start"));
        LogSeeded(modelName, version.Version, artifact.Sha256, artifact.Size);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo model {Model} already registered; production version {Version}")]
    private partial void LogAlreadySeeded(string model, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo model {Model} version {Version} registered and promoted (artifact {Sha256}, {Size} bytes)")]
    private partial void LogSeeded(string model, string version, string sha256, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seeding the demo models failed (attempt {Attempt}); retrying")]
    private partial void LogSeedingFailed(Exception exception, int attempt);
}
