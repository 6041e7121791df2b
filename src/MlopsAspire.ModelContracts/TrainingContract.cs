namespace MlopsAspire.ModelContracts;

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
