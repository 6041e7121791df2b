namespace MlopsAspire.ModelContracts;

/// <summary>
/// What monitoring does for a version, resolved from its contract and its signature: which input's rows are profiled
/// and under what names, where each row's prediction comes from (the score of a binary classifier, the class of a
/// multiclass one, the value of a regression), which live metrics apply, and, in plain words, what it cannot do and
/// which key would make it possible.
/// </summary>
public sealed record MonitoringPlan
{
    /// <summary>The name prediction profiles and drift give the class of a multiclass model.</summary>
    public const string ClassPrediction = "class";

    public ModelTask? Task { get; init; }

    /// <summary>The tabular input whose rows are profiled; null when the model has none.</summary>
    public string? FeatureInput { get; init; }

    /// <summary>Declared names of its columns; null: columns are named by position (<see cref="FeatureName"/>).</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Expected ranges per column (declared ranges, or the span of declared categories); null entries have none.</summary>
    public IReadOnlyList<ValueRange?> FeatureRanges { get; init; } = [];

    /// <summary>Where each row's prediction comes from; null: no prediction profile or live metrics.</summary>
    public PredictionSource? Prediction { get; init; }

    /// <summary>The declared label output (a binary classifier's predicted class, compared with a shadow's); null when none.</summary>
    public string? LabelOutput { get; init; }

    /// <summary>The name of the prediction profile: the score output's name, or <see cref="ClassPrediction"/>.</summary>
    public string? PredictionName { get; init; }

    /// <summary>The number of classes of a multiclass model (from its classes or score columns); null when unknown.</summary>
    public int? ClassCount { get; init; }

    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>How feedback labels are read; null when the task has none.</summary>
    public LabelEncoding? Labels { get; init; }

    /// <summary>Live metrics from feedback (accuracy, AUC, log-loss; accuracy, macro-F1; MAE, RMSE) are possible.</summary>
    public bool HasLiveMetrics =>
        Prediction is not null && Labels is not null && Task is ModelTask.BinaryClassification or ModelTask.MulticlassClassification or ModelTask.Regression;

    /// <summary>What monitoring cannot do for this version, each with the key that would make it possible.</summary>
    public IReadOnlyList<string> Limitations { get; init; } = [];

    /// <summary>The name of feature column <paramref name="column"/>: declared, or the input's name and position ("x[2]").</summary>
    public string FeatureName(int column) =>
        FeatureNames is { } names && column < names.Count ? names[column] : $"{FeatureInput ?? "input"}[{column}]";

    /// <summary>Names of <paramref name="count"/> feature columns.</summary>
    public IReadOnlyList<string> FeatureNamesFor(int count) => [.. Enumerable.Range(0, count).Select(FeatureName)];

    /// <summary>Why feedback cannot be used for live metrics, or null when it can.</summary>
    public string? FeedbackUnusableReason => HasLiveMetrics
        ? null
        : Limitations.FirstOrDefault(limitation => limitation.StartsWith("live metrics", StringComparison.Ordinal))
            ?? "live metrics need 'task' and 'outputs.score' in the model's config";

    /// <summary>The plan for a model with <paramref name="contract"/> (possibly <see cref="ModelContract.None"/>) and this signature.</summary>
    public static MonitoringPlan For(ModelContract contract, IReadOnlyList<TensorDescription> inputs, IReadOnlyList<TensorDescription> outputs)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var limitations = new List<string>();

        // Profiled input: the first declared one with features, else the first [N, F] numeric input.
        var declared = contract.Inputs.FirstOrDefault(input => input.Features.Count > 0);
        var featureInput = declared is not null
            ? inputs.FirstOrDefault(tensor => tensor.Name == declared.Name)
            : inputs.FirstOrDefault(tensor => !tensor.IsText && tensor.Shape.Count == 2);
        if (featureInput is null)
        {
            limitations.Add("input drift needs a tabular [N, F] numeric input; this model has none");
        }
        else if (declared is null)
        {
            limitations.Add($"drift names features by position ({featureInput.Name}[0], {featureInput.Name}[1], …): name them in 'inputs.{featureInput.Name}.features'");
        }

        var task = contract.Task;
        var classes = contract.Outputs.Classes;
        var prediction = ResolvePrediction(contract, outputs, out var classCount, out var predictionName, limitations);
        if (task is null)
        {
            limitations.Add("live metrics need 'task' (binary-classification, multiclass-classification or regression) and 'outputs.score'");
        }
        else if (task is not ModelTask.Other && prediction is null)
        {
            limitations.Add(task == ModelTask.MulticlassClassification
                ? "live metrics need 'outputs.label' or 'outputs.score' (the class scores)"
                : "live metrics need 'outputs.score'");
        }

        if (contract.Training is null)
        {
            limitations.Add("retraining needs a 'training' section");
        }

        return new MonitoringPlan
        {
            Task = task,
            FeatureInput = featureInput?.Name,
            FeatureNames = declared?.Features,
            FeatureRanges = declared is null ? [] : [.. declared.Features.Select(name => RangeOf(declared, name))],
            Prediction = prediction,
            LabelOutput = contract.Outputs.Label is { } label && outputs.Any(output => output.Name == label) ? label : null,
            PredictionName = predictionName,
            ClassCount = classCount,
            Classes = classes,
            Labels = contract.Labels,
            Limitations = limitations,
        };
    }

    private static ValueRange? RangeOf(InputContract input, string column) =>
        input.Ranges.TryGetValue(column, out var range) ? range
        : input.Categories.TryGetValue(column, out var categories) ? new ValueRange(categories[0], categories[^1])
        : null;

    private static PredictionSource? ResolvePrediction(
        ModelContract contract, IReadOnlyList<TensorDescription> outputs, out int? classCount, out string? name, List<string> limitations)
    {
        classCount = null;
        name = null;
        var roles = contract.Outputs;
        var score = roles.Score is { } declaredScore ? outputs.FirstOrDefault(output => output.Name == declaredScore.Name) : null;
        var label = roles.Label is { } declaredLabel ? outputs.FirstOrDefault(output => output.Name == declaredLabel) : null;
        if (contract.Task == ModelTask.MulticlassClassification)
        {
            classCount = roles.Classes.Count > 0 ? roles.Classes.Count : (int?)score?.ValuesPerRow;
            name = ClassPrediction;
            return label is not null
                ? new PredictionSource(label.Name, label.IsText ? PredictionReading.LabelName : PredictionReading.LabelValue)
                : score is not null ? new PredictionSource(score.Name, PredictionReading.ArgMax) : null;
        }

        if (score is not null)
        {
            name = score.Name;
            return new PredictionSource(score.Name, PredictionReading.Value, roles.Score!.Column ?? 0);
        }

        if (contract.Task == ModelTask.BinaryClassification && label is not null)
        {
            name = label.Name;
            return new PredictionSource(label.Name, label.IsText ? PredictionReading.LabelName : PredictionReading.LabelValue);
        }

        // Nothing declared: a model with a single one-value-per-row output still gets a prediction profile.
        if (roles.Score is null && outputs is [{ IsText: false, ValuesPerRow: 1 } only])
        {
            name = only.Name;
            return new PredictionSource(only.Name, PredictionReading.Value);
        }

        limitations.Add(outputs.Count == 1
            ? $"prediction drift needs 'outputs.score': the output {outputs[0]} is not one number per row"
            : $"prediction drift needs 'outputs.score': the model has {outputs.Count} outputs ({string.Join(", ", outputs.Select(output => output.Name))})");
        return null;
    }
}
