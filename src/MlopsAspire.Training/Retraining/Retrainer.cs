using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Training.Evaluation;
using MlopsAspire.Training.Onnx;
using MlopsAspire.Training.Tabular;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Retraining;

/// <summary>
/// One retraining of a tabular model, whatever the trainer: holds out the newest rows, trains a candidate on the rest,
/// and accepts it only if it loads in ONNX Runtime with exactly the parent's signature, agrees with its trainer's own
/// predictions (when the trainer has them), and is at least as good as the parent on the task's primary metric on
/// that same holdout, both read through the contract's output roles. The result carries the reference profile of its
/// training inputs and holdout predictions, for monitoring.
/// </summary>
public sealed class Retrainer(RetrainingOptions? options = null)
{
    private readonly RetrainingOptions _options = options ?? new RetrainingOptions();

    /// <param name="rows">Labelled rows, oldest first, as the contract reads labels.</param>
    public async Task<RetrainingOutcome> RetrainAsync(
        ModelContract contract, byte[] parentOnnxModel, LabelledRows rows, ITabularTrainer trainer, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(parentOnnxModel);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(trainer);
        var parameters = contract.Training?.Parameters ?? new Dictionary<string, string>();
        try
        {
            return await RunAsync(contract, parentOnnxModel, rows, trainer, seed, cancellationToken);
        }
        catch (TrainingFailedException exception)
        {
            return RetrainingOutcome.Failed(exception.Message, rows.Count, parameters, exception.Command);
        }
    }

    private async Task<RetrainingOutcome> RunAsync(
        ModelContract contract, byte[] parentOnnxModel, LabelledRows rows, ITabularTrainer trainer, int seed, CancellationToken cancellationToken)
    {
        if (contract is not { Training: not null, Task: { } task, Inputs: [{ Features.Count: > 0 } input] })
        {
            throw new TrainingFailedException("no retraining configured: the version's config needs 'task', one input with its 'features' and a 'training' section");
        }

        if (rows.FeatureCount != input.Features.Count)
        {
            throw new TrainingFailedException($"the labelled rows have {rows.FeatureCount} values each; 'inputs.{input.Name}.features' names {input.Features.Count}");
        }

        using var parent = OnnxModelScorer.Load(parentOnnxModel, "the parent");
        var plan = MonitoringPlan.For(contract, parent.Inputs, parent.Outputs);
        if (plan.Prediction is not { } prediction)
        {
            throw new TrainingFailedException($"the parent cannot be evaluated: {plan.FeedbackUnusableReason}");
        }

        var classCount = task == ModelTask.MulticlassClassification
            ? plan.ClassCount ?? throw new TrainingFailedException("the number of classes is unknown: name them in 'outputs.classes'")
            : 0;
        var usable = Usable(task, rows, classCount, out var dropped);
        CheckEnough(task, usable, classCount, dropped);

        // One holdout for both models: the newest rows, which look most like what the candidate will serve.
        var holdoutCount = Math.Max(1, (int)Math.Round(usable.Count * _options.HoldoutFraction));
        var holdout = usable.Slice(usable.Count - holdoutCount, holdoutCount);
        var training = usable.Slice(0, usable.Count - holdoutCount);
        CheckHoldout(task, holdout);

        var candidate = await trainer.TrainAsync(new TrainerRequest(contract, training, classCount, parentOnnxModel, seed), cancellationToken);
        try
        {
            return Check(contract, task, input, plan, prediction, parent, candidate, training, holdout, classCount, usable.Count);
        }
        catch (TrainingFailedException exception) when (exception.Command is null && candidate.Command is not null)
        {
            throw new TrainingFailedException($"{exception.Message} ({candidate.Command})", candidate.Command);
        }
    }

    private RetrainingOutcome Check(
        ModelContract contract, ModelTask task, InputContract input, MonitoringPlan plan, PredictionSource prediction, OnnxModelScorer parent,
        TrainedCandidate candidate, LabelledRows training, LabelledRows holdout, int classCount, int rowCount)
    {
        using var scorer = OnnxModelScorer.Load(candidate.OnnxModel, "the candidate");
        if (SignatureDifference(parent, scorer) is { } difference)
        {
            throw new TrainingFailedException($"the candidate's signature differs from its parent's: {difference}");
        }

        var parentScores = parent.Score(input.Name, holdout.Features, holdout.Count, prediction, plan.Classes);
        var candidateScores = scorer.Score(input.Name, holdout.Features, holdout.Count, prediction, plan.Classes);
        var parentMetrics = TaskMetrics.Compute(task, parentScores.Predictions, holdout.Labels, classCount);
        var candidateMetrics = TaskMetrics.Compute(task, candidateScores.Predictions, holdout.Labels, classCount);
        var parity = candidate.Reference is { } reference ? Parity(contract, task, input, reference, scorer, holdout, plan) : double.NaN;
        var metricName = candidateMetrics.PrimaryName.ToUpperInvariant().Replace('_', '-');
        var comparison = $"{metricName} {candidateMetrics.Primary:F4} vs parent {parentMetrics.Primary:F4} on {holdout.Count} held-out rows";
        var tolerance = Math.Max(_options.ParityTolerance, candidate.Reference?.ParityTolerance ?? 0);
        if (parity > tolerance)
        {
            return RetrainingOutcome.Failed(
                $"parity check failed: ONNX Runtime and the trainer differ by up to {parity:E2} on the holdout (tolerance {tolerance:E0})",
                rowCount, candidate.Parameters, candidate.Command, candidateMetrics, parentMetrics, parity);
        }

        var shortfall = candidateMetrics.ShortfallAgainst(parentMetrics);
        if (!(shortfall <= _options.MaximumMetricLoss))
        {
            return RetrainingOutcome.Failed(
                $"worse than the parent on the same holdout: {comparison}" + (candidate.Command is { } command ? $" ({command})" : ""),
                rowCount, candidate.Parameters, candidate.Command, candidateMetrics, parentMetrics, parity);
        }

        // Inputs from the training rows; predictions from the holdout, because predictions on rows a model was fitted to
        // are more extreme than anything live traffic will get, and prediction drift would be flagged from the first window.
        var profile = ReferenceProfile.FromRows(
            input.Features,
            [.. Enumerable.Range(0, training.Count).Select(row => training.Row(row).ToArray())],
            new Dictionary<string, IReadOnlyList<double>> { [plan.PredictionName ?? prediction.Output] = [.. candidateScores.Predictions.Select(value => (double)value)] });
        return new RetrainingOutcome(true, comparison, candidate.OnnxModel, candidateMetrics, parentMetrics, parity, profile, rowCount, candidate.Parameters, candidate.Command);
    }

    /// <summary>Largest difference between the trainer's own predictions and ONNX Runtime's reading of the score output.</summary>
    private static double Parity(
        ModelContract contract, ModelTask task, InputContract input, ITabularPredictor reference, OnnxModelScorer scorer, LabelledRows holdout, MonitoringPlan plan)
    {
        if (contract.Outputs.Score is not { } score)
        {
            // Only labels to compare; the metrics on the holdout already judge them.
            return double.NaN;
        }

        var expected = reference.Predict(holdout.Features, holdout.Count);
        var read = scorer.Score(input.Name, holdout.Features, holdout.Count, new PredictionSource(score.Name, PredictionReading.Value, score.Column ?? 0), plan.Classes);
        var worst = 0.0;
        for (var row = 0; row < holdout.Count; row++)
        {
            if (task == ModelTask.MulticlassClassification)
            {
                for (var k = 0; k < reference.ValuesPerRow; k++)
                {
                    worst = Math.Max(worst, Math.Abs(expected[row * reference.ValuesPerRow + k] - read.Values[row * read.Width + k]));
                }
            }
            else
            {
                worst = Math.Max(worst, Math.Abs(expected[row] - read.Predictions[row]));
            }
        }

        return worst;
    }

    private static string? SignatureDifference(OnnxModelScorer parent, OnnxModelScorer candidate)
    {
        var differences = Compare("input", parent.Inputs, candidate.Inputs).Concat(Compare("output", parent.Outputs, candidate.Outputs)).ToList();
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static IEnumerable<string> Compare(string kind, IReadOnlyList<TensorDescription> parent, IReadOnlyList<TensorDescription> candidate)
    {
        foreach (var expected in parent)
        {
            var actual = candidate.FirstOrDefault(tensor => tensor.Name == expected.Name);
            if (actual is null)
            {
                yield return $"it has no {kind} '{expected.Name}' (the parent's is {expected})";
            }
            else if (!actual.Equals(expected))
            {
                yield return $"its {kind} is {actual} where the parent's is {expected}";
            }
        }

        foreach (var extra in candidate.Where(tensor => parent.All(expected => expected.Name != tensor.Name)))
        {
            yield return $"it has the {kind} {extra}, which the parent does not";
        }
    }

    /// <summary>The rows whose labels the task can use: finite, and for multiclass a class index below the class count.</summary>
    private static LabelledRows Usable(ModelTask task, LabelledRows rows, int classCount, out int dropped)
    {
        var keep = Enumerable.Range(0, rows.Count).Where(row =>
        {
            var label = rows.Labels[row];
            return float.IsFinite(label) && (task != ModelTask.MulticlassClassification || (label >= 0 && label < classCount && label == MathF.Floor(label)));
        }).ToList();
        dropped = rows.Count - keep.Count;
        if (dropped == 0)
        {
            return rows;
        }

        var features = new float[keep.Count * rows.FeatureCount];
        var labels = new float[keep.Count];
        for (var i = 0; i < keep.Count; i++)
        {
            rows.Row(keep[i]).CopyTo(features.AsSpan(i * rows.FeatureCount));
            labels[i] = rows.Labels[keep[i]];
        }

        return new LabelledRows(rows.FeatureCount, features, labels);
    }

    private void CheckEnough(ModelTask task, LabelledRows rows, int classCount, int dropped)
    {
        var droppedNote = dropped == 0 ? "" : $" ({dropped} more had labels the task cannot use)";
        if (rows.Count < _options.MinimumRows)
        {
            throw new TrainingFailedException($"not enough labels: {rows.Count} usable rows{droppedNote}; need {_options.MinimumRows}");
        }

        if (task == ModelTask.BinaryClassification)
        {
            var positives = rows.Labels.Count(label => label >= 0.5f);
            var negatives = rows.Count - positives;
            if (positives < _options.MinimumRowsPerClass || negatives < _options.MinimumRowsPerClass)
            {
                throw new TrainingFailedException(
                    $"not enough labels: {rows.Count} rows ({positives} positive, {negatives} negative){droppedNote}; need {_options.MinimumRows} rows and {_options.MinimumRowsPerClass} of each class");
            }
        }
        else if (task == ModelTask.MulticlassClassification)
        {
            var counts = new int[classCount];
            foreach (var label in rows.Labels)
            {
                counts[(int)label]++;
            }

            if (counts.Count(count => count >= _options.MinimumRowsPerClass) < 2)
            {
                throw new TrainingFailedException(
                    $"not enough labels: rows per class {string.Join(", ", counts)}{droppedNote}; need {_options.MinimumRowsPerClass} rows of at least two classes");
            }
        }
    }

    private static void CheckHoldout(ModelTask task, LabelledRows holdout)
    {
        if (task != ModelTask.Regression && holdout.Labels.Select(label => task == ModelTask.BinaryClassification ? label >= 0.5f ? 1 : 0 : (int)label).Distinct().Count() < 2)
        {
            throw new TrainingFailedException("the holdout (the newest rows) holds only one class; send more labelled rows");
        }
    }
}
