using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Onnx;
using MlopsAspire.Training.Tabular;

namespace MlopsAspire.Training.Trainers;

/// <summary>
/// The built-in ML.NET trainers for tabular tasks: FastTree (binary, regression), LightGbm (binary, multiclass,
/// regression), L-BFGS logistic regression / maximum entropy (binary, multiclass) and SDCA (all three). Parameters
/// set the trainer's options by name; the linear trainers get their features standardized first, since they converge
/// badly on raw magnitudes. Training is single-threaded and seeded: equal rows, parameters and seed give an equal
/// model. The ONNX export is adapted to the parent's signature (<see cref="OnnxSignatureAdapter"/>).
/// </summary>
public sealed class MlNetTrainer : ITabularTrainer
{
    private readonly ModelTask _task;
    private readonly IReadOnlyDictionary<string, string> _parameters;

    private MlNetTrainer(string name, ModelTask task, IReadOnlyDictionary<string, string> parameters)
    {
        Name = name;
        _task = task;
        _parameters = parameters;
    }

    public string Name { get; }

    /// <summary>
    /// How closely ONNX Runtime reproduces ML.NET: 1e-5, except LightGbm's multiclass export, whose class scores were
    /// measured up to 1.7e-3 from ML.NET's (it normalizes the per-class tree sums differently).
    /// </summary>
    public double ParityTolerance => Name == TrainerNames.LightGbm && _task == ModelTask.MulticlassClassification ? 5e-3 : 1e-5;

    /// <summary>
    /// The trainer <paramref name="name"/> for <paramref name="task"/> with <paramref name="parameters"/> applied to
    /// its options; throws <see cref="TrainerUnavailableException"/> naming an unknown trainer, a task it cannot train,
    /// or a parameter it does not have or cannot take.
    /// </summary>
    public static MlNetTrainer Create(string name, ModelTask task, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var trainer = new MlNetTrainer(name, task, parameters);
        // Building the estimator checks the parameters now, before any data is read.
        trainer.CreateEstimator(new MLContext(0), seed: 0);
        return trainer;
    }

    /// <summary>The parameters trainer <paramref name="name"/> takes for <paramref name="task"/>, by name.</summary>
    public static IReadOnlyList<string> ParameterNames(string name, ModelTask task) => TrainerParameters.Names(CreateOptions(name, task));

    public Task<TrainedCandidate> TrainAsync(TrainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.Run(() => Train(request), cancellationToken);
    }

    /// <summary>Trains and exports without adapting the export to a parent (the first version of a model).</summary>
    public TrainedTabularModel Fit(LabelledRows rows, int classCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var context = new MLContext(seed);
        var schema = TabularSchema.For(_task, rows.FeatureCount, classCount);
        var data = schema.Load(context, rows);
        ITransformer model;
        try
        {
            model = CreateEstimator(context, seed).Fit(data);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new TrainingFailedException($"{Name} could not train on {rows.Count} rows: {exception.Message}");
        }

        using var stream = new MemoryStream();
        context.Model.ConvertToOnnx(model, context.Data.LoadFromEnumerable(Array.Empty<TabularSchema.FeatureRow>(), schema.FeaturesOnly), stream);
        return new TrainedTabularModel(context, model, schema, stream.ToArray(), ParityTolerance);
    }

    private TrainedCandidate Train(TrainerRequest request)
    {
        if (request.Task != _task)
        {
            throw new TrainingFailedException($"{Name} was set up for {ModelContractReader.NameOf(_task)}, not {ModelContractReader.NameOf(request.Task)}");
        }

        var trained = Fit(request.Rows, request.ClassCount, request.Seed);
        var adapted = OnnxSignatureAdapter.Adapt(trained.OnnxModel, request.ParentOnnxModel, request.Contract, Name);
        return new TrainedCandidate(adapted, _parameters, trained);
    }

    private IEstimator<ITransformer> CreateEstimator(MLContext context, int seed)
    {
        var options = CreateOptions(Name, _task);
        TrainerParameters.Apply(options, _parameters, $"{Name} ({ModelContractReader.NameOf(_task)})");
        // One thread: other services share the cores, and it keeps training reproducible.
        TrainerParameters.SetUnlessGiven(options, _parameters, "NumberOfThreads", 1);
        TrainerParameters.SetUnlessGiven(options, _parameters, "Seed", seed);
        try
        {
            IEstimator<ITransformer> trainer = options switch
            {
                FastTreeBinaryTrainer.Options o => context.BinaryClassification.Trainers.FastTree(o),
                FastTreeRegressionTrainer.Options o => context.Regression.Trainers.FastTree(o),
                LightGbmBinaryTrainer.Options o => context.BinaryClassification.Trainers.LightGbm(o),
                LightGbmMulticlassTrainer.Options o => context.MulticlassClassification.Trainers.LightGbm(o),
                LightGbmRegressionTrainer.Options o => context.Regression.Trainers.LightGbm(o),
                LbfgsLogisticRegressionBinaryTrainer.Options o => context.BinaryClassification.Trainers.LbfgsLogisticRegression(o),
                LbfgsMaximumEntropyMulticlassTrainer.Options o => context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o),
                SdcaLogisticRegressionBinaryTrainer.Options o => context.BinaryClassification.Trainers.SdcaLogisticRegression(o),
                SdcaMaximumEntropyMulticlassTrainer.Options o => context.MulticlassClassification.Trainers.SdcaMaximumEntropy(o),
                SdcaRegressionTrainer.Options o => context.Regression.Trainers.Sdca(o),
                _ => throw new TrainerUnavailableException($"no estimator for {options.GetType().Name}"),
            };
            return Name is TrainerNames.LogisticRegression or TrainerNames.Sdca
                ? context.Transforms.NormalizeMeanVariance(TabularSchema.FeaturesColumn).Append(trainer)
                : trainer;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            throw new TrainerUnavailableException($"'training.parameters' of {Name} are not accepted: {exception.Message}");
        }
    }

    private static object CreateOptions(string name, ModelTask task) => (name, task) switch
    {
        (TrainerNames.FastTree, ModelTask.BinaryClassification) => new FastTreeBinaryTrainer.Options(),
        (TrainerNames.FastTree, ModelTask.Regression) => new FastTreeRegressionTrainer.Options(),
        (TrainerNames.LightGbm, ModelTask.BinaryClassification) => new LightGbmBinaryTrainer.Options(),
        (TrainerNames.LightGbm, ModelTask.MulticlassClassification) => new LightGbmMulticlassTrainer.Options(),
        (TrainerNames.LightGbm, ModelTask.Regression) => new LightGbmRegressionTrainer.Options(),
        (TrainerNames.LogisticRegression, ModelTask.BinaryClassification) => new LbfgsLogisticRegressionBinaryTrainer.Options(),
        (TrainerNames.LogisticRegression, ModelTask.MulticlassClassification) => new LbfgsMaximumEntropyMulticlassTrainer.Options(),
        (TrainerNames.Sdca, ModelTask.BinaryClassification) => new SdcaLogisticRegressionBinaryTrainer.Options(),
        (TrainerNames.Sdca, ModelTask.MulticlassClassification) => new SdcaMaximumEntropyMulticlassTrainer.Options(),
        (TrainerNames.Sdca, ModelTask.Regression) => new SdcaRegressionTrainer.Options(),
        _ when !TrainerNames.BuiltIn.ContainsKey(name) => throw new TrainerUnavailableException(
            $"unknown trainer '{name}'; built-in trainers are {string.Join(", ", TrainerNames.BuiltIn.Keys)}"),
        _ => throw new TrainerUnavailableException(
            $"{name} cannot train {ModelContractReader.NameOf(task)}; trainers that can: {string.Join(", ", TrainerNames.BuiltIn.Where(pair => pair.Value.Contains(task)).Select(pair => pair.Key))}"),
    };
}
