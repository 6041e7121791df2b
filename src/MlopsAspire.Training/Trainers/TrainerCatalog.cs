using MlopsAspire.ModelContracts;

namespace MlopsAspire.Training.Trainers;

/// <summary>
/// Chooses the trainer a contract's <c>training.trainer</c> names: a built-in ML.NET trainer with its parameters
/// checked, or an allow-listed command of this worker. Anything that keeps a run from starting is a
/// <see cref="TrainerUnavailableException"/> with the reason, raised before any data is read.
/// </summary>
public sealed class TrainerCatalog(IReadOnlyDictionary<string, CommandTrainerOptions> commands, TimeProvider time, string? workRoot = null)
{
    /// <summary>A catalog of the built-in trainers only.</summary>
    public static TrainerCatalog BuiltIn { get; } = new(new Dictionary<string, CommandTrainerOptions>(), TimeProvider.System);

    /// <summary>The allow-listed command names.</summary>
    public IReadOnlyCollection<string> Commands => [.. commands.Keys];

    public ITabularTrainer Resolve(ModelContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if (contract.Training is not { } training)
        {
            throw new TrainerUnavailableException("no retraining configured: the version's config has no 'training' section");
        }

        if (contract.Task is not (ModelTask.BinaryClassification or ModelTask.MulticlassClassification or ModelTask.Regression) || contract.Inputs is not [{ Features.Count: > 0 }])
        {
            throw new TrainerUnavailableException("'training' needs a 'task' with labels and one input with its 'features' in the version's config");
        }

        if (training.Trainer != TrainerNames.Command)
        {
            return MlNetTrainer.Create(training.Trainer, contract.Task.Value, training.Parameters);
        }

        var name = training.Command ?? "";
        return commands.TryGetValue(name, out var options)
            ? new CommandTrainer(name, options, time, workRoot)
            : throw new TrainerUnavailableException(commands.Count == 0
                ? $"command '{name}' is not allow-listed on this worker: it allow-lists no commands (Training:Commands)"
                : $"command '{name}' is not allow-listed on this worker (Training:Commands); allow-listed: {string.Join(", ", commands.Keys.Order(StringComparer.Ordinal))}");
    }
}
