using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Training.Evaluation;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Retraining;

/// <summary>What a retraining run produced, or why it stopped. A failed run changes nothing anywhere.</summary>
/// <param name="TrainingRows">Labelled rows the run had: the training rows and the holdout.</param>
/// <param name="Parameters">The trainer's parameters as lineage records them.</param>
/// <param name="ParityMaxDifference">Largest |ONNX Runtime − trainer| prediction on the holdout; NaN when not checked.</param>
public sealed record RetrainingOutcome(
    bool Succeeded,
    string Reason,
    byte[]? OnnxModel,
    TaskMetrics? CandidateMetrics,
    TaskMetrics? ParentMetrics,
    double ParityMaxDifference,
    ReferenceProfile? Profile,
    int TrainingRows,
    IReadOnlyDictionary<string, string> Parameters,
    CommandRunReport? Command = null)
{
    public static RetrainingOutcome Failed(
        string reason, int rows, IReadOnlyDictionary<string, string> parameters, CommandRunReport? command = null,
        TaskMetrics? candidate = null, TaskMetrics? parent = null, double parity = double.NaN) =>
        new(false, reason, null, candidate, parent, parity, null, rows, parameters, command);

    /// <summary>The numbers a run and its candidate's offline metrics record: candidate's, parent's (prefixed "parent_"), rows, parity, command.</summary>
    public Dictionary<string, double> Metrics()
    {
        var metrics = new Dictionary<string, double> { ["training_rows"] = TrainingRows };
        if (CandidateMetrics is { } candidate)
        {
            foreach (var (name, value) in candidate.Values)
            {
                metrics[name] = value;
            }

            metrics["holdout_rows"] = candidate.Rows;
        }

        if (ParentMetrics is { } parent)
        {
            foreach (var (name, value) in parent.Values)
            {
                metrics["parent_" + name] = value;
            }
        }

        if (!double.IsNaN(ParityMaxDifference))
        {
            metrics["onnx_parity_max_difference"] = ParityMaxDifference;
        }

        if (Command is { } command)
        {
            metrics["command_seconds"] = command.Elapsed.TotalSeconds;
            metrics["command_time_limit_seconds"] = command.TimeLimit.TotalSeconds;
            metrics["command_timed_out"] = command.TimedOut ? 1 : 0;
            if (command.ExitCode is { } exitCode)
            {
                metrics["command_exit_code"] = exitCode;
            }
        }

        // NaN (an AUC of a one-class holdout) would not survive storage or the wire as a number anyone can read.
        return metrics.Where(pair => double.IsFinite(pair.Value)).ToDictionary();
    }
}
