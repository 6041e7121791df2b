namespace MlopsAspire.ModelContracts;

/// <summary>
/// What a version's config document says about the model itself, beside its serving settings: its task, the names
/// (and expected ranges or categories) of each tabular input's columns, which output is the score and which the
/// predicted label, the class names, how feedback labels are read, and how to retrain it. Every part is optional;
/// <see cref="MonitoringPlan"/> says what monitoring can do with what is there, and what it cannot.
/// </summary>
public sealed record ModelContract
{
    /// <summary>A document with no contract keys.</summary>
    public static ModelContract None { get; } = new();

    /// <summary>The <c>task</c> key; null when absent.</summary>
    public ModelTask? Task { get; init; }

    /// <summary>The <c>inputs</c> section, in the document's order.</summary>
    public IReadOnlyList<InputContract> Inputs { get; init; } = [];

    /// <summary>The <c>outputs</c> section.</summary>
    public OutputRoles Outputs { get; init; } = OutputRoles.None;

    /// <summary>The <c>feedback.labels</c> key; null reads labels as the task implies (<see cref="Labels"/>).</summary>
    public LabelEncoding? FeedbackLabels { get; init; }

    /// <summary>The <c>training</c> section; null: the model is never retrained by the platform.</summary>
    public TrainingContract? Training { get; init; }

    public bool IsEmpty =>
        Task is null && Inputs.Count == 0 && Outputs == OutputRoles.None && FeedbackLabels is null && Training is null;

    /// <summary>
    /// How feedback labels are read: as declared, or as the task implies (0/1 for binary classification, class names
    /// when classes are named and indices otherwise for multiclass, the target value for regression); null when the
    /// task has no labels.
    /// </summary>
    public LabelEncoding? Labels => FeedbackLabels ?? Task switch
    {
        ModelTask.BinaryClassification => LabelEncoding.Binary,
        ModelTask.MulticlassClassification => Outputs.Classes.Count > 0 ? LabelEncoding.ClassName : LabelEncoding.ClassIndex,
        ModelTask.Regression => LabelEncoding.Numeric,
        _ => null,
    };

    public bool Equals(ModelContract? other) =>
        other is not null
        && Task == other.Task
        && Inputs.SequenceEqual(other.Inputs)
        && Outputs == other.Outputs
        && FeedbackLabels == other.FeedbackLabels
        && Training == other.Training;

    public override int GetHashCode() => HashCode.Combine(Task, Inputs.Count, Outputs, FeedbackLabels, Training);
}

/// <summary>One tabular input (<c>inputs.NAME</c>): its columns' names, and optionally their expected ranges or categories.</summary>
public sealed record InputContract(string Name)
{
    /// <summary>Column names, one per value of a row.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>Expected [minimum, maximum] of named columns: values outside are counted as out of range.</summary>
    public IReadOnlyDictionary<string, ValueRange> Ranges { get; init; } = new Dictionary<string, ValueRange>();

    /// <summary>The values a categorical column may take: anything else is counted as out of range.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Categories { get; init; } = new Dictionary<string, IReadOnlyList<double>>();

    public bool Equals(InputContract? other) =>
        other is not null
        && Name == other.Name
        && Features.SequenceEqual(other.Features)
        && Ranges.Count == other.Ranges.Count && Ranges.All(pair => other.Ranges.TryGetValue(pair.Key, out var range) && range == pair.Value)
        && Categories.Count == other.Categories.Count
        && Categories.All(pair => other.Categories.TryGetValue(pair.Key, out var values) && values.SequenceEqual(pair.Value));

    public override int GetHashCode() => HashCode.Combine(Name, Features.Count, Ranges.Count, Categories.Count);
}

/// <summary>An expected range of a column, both ends included.</summary>
public readonly record struct ValueRange(double Minimum, double Maximum)
{
    public bool Contains(double value) => value >= Minimum && value <= Maximum;
}

/// <summary>The <c>outputs</c> section: which output is the score, which the predicted label, and the class names.</summary>
public sealed record OutputRoles
{
    public static OutputRoles None { get; } = new();

    /// <summary><c>outputs.score</c>: the probability of the positive class, the class scores, or the regression value.</summary>
    public ScoreOutput? Score { get; init; }

    /// <summary><c>outputs.label</c>: the output holding the predicted label (a class index or name) per row.</summary>
    public string? Label { get; init; }

    /// <summary><c>outputs.classes</c>: class names, in the order of class indices (and of score columns).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    public bool Equals(OutputRoles? other) =>
        other is not null && Score == other.Score && Label == other.Label && Classes.SequenceEqual(other.Classes);

    public override int GetHashCode() => HashCode.Combine(Score, Label, Classes.Count);
}

/// <summary>An output read as the score: its name and, for an <c>[N, K]</c> output, which column.</summary>
public sealed record ScoreOutput(string Name, int? Column = null);

/// <summary>
/// The <c>training</c> section: the trainer to retrain with (a built-in one by name, or <c>command</c> with the name of
/// a command the training worker's administrator allow-listed), the label column's name in training data, and the
/// trainer's parameters.
/// </summary>
public sealed record TrainingContract(string Trainer)
{
    /// <summary>Name of the label column in training data (the CSV header of a command trainer); "label" when absent.</summary>
    public string Label { get; init; } = "label";

    /// <summary>With the <c>command</c> trainer: the allow-listed command's name (never a command line).</summary>
    public string? Command { get; init; }

    /// <summary>Trainer parameters (hyperparameters by name), as text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public bool Equals(TrainingContract? other) =>
        other is not null
        && Trainer == other.Trainer
        && Label == other.Label
        && Command == other.Command
        && Parameters.Count == other.Parameters.Count
        && Parameters.All(pair => other.Parameters.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public override int GetHashCode() => HashCode.Combine(Trainer, Label, Command, Parameters.Count);
}
