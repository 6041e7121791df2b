using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Metrics;

namespace MlopsAspire.Training.Evaluation;

/// <summary>
/// A model's quality on labelled rows by its task: binary (AUC, accuracy at 0.5, log-loss, F1), multiclass (accuracy,
/// macro-F1) or regression (RMSE, MAE). <see cref="Primary"/> is the one candidates and parents are compared on:
/// AUC, accuracy and RMSE.
/// </summary>
public sealed record TaskMetrics(ModelTask Task, int Rows, IReadOnlyDictionary<string, double> Values)
{
    public const string Auc = "auc";
    public const string Accuracy = "accuracy";
    public const string LogLoss = "log_loss";
    public const string F1 = "f1";
    public const string MacroF1 = "macro_f1";
    public const string Rmse = "rmse";
    public const string Mae = "mae";

    /// <summary>The name of the metric candidates are compared on.</summary>
    public string PrimaryName => PrimaryNameOf(Task);

    public double Primary => Values[PrimaryName];

    /// <summary>Whether a larger <see cref="Primary"/> is better (false for RMSE).</summary>
    public bool HigherIsBetter => Task != ModelTask.Regression;

    public static string PrimaryNameOf(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => Auc,
        ModelTask.MulticlassClassification => Accuracy,
        _ => Rmse,
    };

    /// <summary>
    /// How much worse this is than <paramref name="other"/> on the primary metric, in its units; zero or less means at
    /// least as good.
    /// </summary>
    public double ShortfallAgainst(TaskMetrics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return HigherIsBetter ? other.Primary - Primary : Primary - other.Primary;
    }

    /// <summary>
    /// Metrics of <paramref name="predictions"/> (binary: the score of the positive class; multiclass: the class index;
    /// regression: the value) against <paramref name="labels"/> (0/1, class index or true value).
    /// </summary>
    public static TaskMetrics Compute(ModelTask task, IReadOnlyList<float> predictions, IReadOnlyList<float> labels, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (predictions.Count != labels.Count || predictions.Count == 0)
        {
            throw new ArgumentException($"need one prediction per label and at least one row; got {predictions.Count} predictions and {labels.Count} labels");
        }

        var values = task switch
        {
            ModelTask.BinaryClassification => Binary(predictions, labels),
            ModelTask.MulticlassClassification => Multiclass(predictions, labels, classCount),
            ModelTask.Regression => Regression(predictions, labels),
            _ => throw new ArgumentException($"task {task} has no metrics", nameof(task)),
        };
        return new TaskMetrics(task, labels.Count, values);
    }

    public override string ToString() =>
        string.Join(", ", Values.Select(pair => $"{pair.Key} {pair.Value:F4}")) + $" on {Rows} rows";

    private static Dictionary<string, double> Binary(IReadOnlyList<float> scores, IReadOnlyList<float> labels)
    {
        int correct = 0, truePositives = 0, falsePositives = 0, falseNegatives = 0;
        double logLoss = 0;
        var probabilities = true;
        for (var i = 0; i < labels.Count; i++)
        {
            var actual = labels[i] >= 0.5f;
            var predicted = scores[i] >= 0.5f;
            correct += predicted == actual ? 1 : 0;
            truePositives += predicted && actual ? 1 : 0;
            falsePositives += predicted && !actual ? 1 : 0;
            falseNegatives += !predicted && actual ? 1 : 0;
            probabilities &= scores[i] is >= 0 and <= 1;
            var p = Math.Clamp(scores[i], 1e-7, 1 - 1e-7);
            logLoss -= actual ? Math.Log(p) : Math.Log(1 - p);
        }

        var precision = truePositives + falsePositives == 0 ? 0 : (double)truePositives / (truePositives + falsePositives);
        var recall = truePositives + falseNegatives == 0 ? 0 : (double)truePositives / (truePositives + falseNegatives);
        var values = new Dictionary<string, double>
        {
            [Auc] = AreaUnderRocCurve.Compute(scores, [.. labels.Select(label => label >= 0.5f)]),
            [Accuracy] = (double)correct / labels.Count,
            [F1] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
        };
        if (probabilities)
        {
            // Log-loss means something only for probabilities, not for margins.
            values[LogLoss] = logLoss / labels.Count;
        }

        return values;
    }

    private static Dictionary<string, double> Multiclass(IReadOnlyList<float> predicted, IReadOnlyList<float> labels, int classCount)
    {
        var classes = Math.Max(classCount, (int)Math.Max(predicted.Max(), labels.Max()) + 1);
        var truePositives = new long[classes];
        var predictedCounts = new long[classes];
        var actualCounts = new long[classes];
        var correct = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var actual = (int)labels[i];
            var guess = (int)predicted[i];
            correct += actual == guess ? 1 : 0;
            if (actual >= 0)
            {
                actualCounts[actual]++;
                truePositives[actual] += actual == guess ? 1 : 0;
            }

            if (guess >= 0)
            {
                predictedCounts[guess]++;
            }
        }

        // Macro-F1 over the classes that occur in the labels or the predictions.
        var f1Sum = 0.0;
        var present = 0;
        for (var c = 0; c < classes; c++)
        {
            if (actualCounts[c] + predictedCounts[c] == 0)
            {
                continue;
            }

            present++;
            f1Sum += 2.0 * truePositives[c] / (actualCounts[c] + predictedCounts[c]);
        }

        return new Dictionary<string, double>
        {
            [Accuracy] = (double)correct / labels.Count,
            [MacroF1] = present == 0 ? 0 : f1Sum / present,
        };
    }

    private static Dictionary<string, double> Regression(IReadOnlyList<float> predicted, IReadOnlyList<float> labels)
    {
        double squared = 0, absolute = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var error = (double)predicted[i] - labels[i];
            squared += error * error;
            absolute += Math.Abs(error);
        }

        return new Dictionary<string, double>
        {
            [Rmse] = Math.Sqrt(squared / labels.Count),
            [Mae] = absolute / labels.Count,
        };
    }
}
