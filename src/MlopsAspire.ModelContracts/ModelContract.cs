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
