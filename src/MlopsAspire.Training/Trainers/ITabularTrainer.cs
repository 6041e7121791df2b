
namespace MlopsAspire.Training.Trainers;

/// <summary>
/// Trains a candidate for a tabular model from labelled rows. Every trainer returns an ONNX model with exactly the
/// parent's signature (input and output names, datatypes and shapes), so clients of the parent keep working; the
/// retrainer then checks it against the parent on rows the trainer never saw.
/// </summary>
public interface ITabularTrainer
{
    /// <summary>The <c>training.trainer</c> name lineage records, e.g. "mlnet-lightgbm" or "command".</summary>
    string Name { get; }

    /// <summary>
    /// Trains on <see cref="TrainerRequest.Rows"/>. Throws <see cref="TrainingFailedException"/> with the reason when
    /// no candidate could be made (and, for a command, what the command did).
    /// </summary>
    Task<TrainedCandidate> TrainAsync(TrainerRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A candidate model: ONNX with the parent's signature, the parameters it was trained with (as lineage records them),
/// a predictor that reproduces it in process for the parity check (null when the trainer has none, like a command),
/// and what an external command did.
/// </summary>
public sealed record TrainedCandidate(
    byte[] OnnxModel,
    IReadOnlyDictionary<string, string> Parameters,
    ITabularPredictor? Reference,
    CommandRunReport? Command = null);

/// <summary>Predictions of a trained model in process, in the task's terms.</summary>
public interface ITabularPredictor
{
    /// <summary>Values per row: 1 (probability of the positive class, or the regression value), or the class count.</summary>
    int ValuesPerRow { get; }

    /// <summary>Predictions for <paramref name="rowCount"/> rows of row-major features, <see cref="ValuesPerRow"/> per row.</summary>
    float[] Predict(float[] features, int rowCount);

    /// <summary>Largest difference from ONNX Runtime's predictions that still counts as a faithful export.</summary>
    double ParityTolerance { get; }
}

/// <summary>No candidate could be made; the message says why (and what an external command did).</summary>
public sealed class TrainingFailedException(string message, CommandRunReport? command = null) : Exception(message)
{
    public CommandRunReport? Command { get; } = command;
}

/// <summary>
/// A run cannot start with this configuration: no training section, an unknown trainer, a command the worker did not
/// allow-list, or parameters the trainer does not have. Nothing was trained or spent.
/// </summary>
public sealed class TrainerUnavailableException(string message) : Exception(message);
