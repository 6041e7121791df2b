using Microsoft.ML.OnnxRuntime;
using MlopsAspire.Monitoring.Profiles;

namespace MlopsAspire.Training.Retraining;

/// <summary>What a retraining run produced, or why it stopped. A failed run changes nothing anywhere.</summary>
public sealed record RetrainingOutcome(
    bool Succeeded,
    string Reason,
    byte[]? OnnxModel,
    FraudModelMetrics? CandidateMetrics,
    FraudModelMetrics? ParentMetrics,
    double ParityMaxDifference,
    ReferenceProfile? Profile,
    int TrainingRows,
    FraudTrainingOptions Options)
{
    public static RetrainingOutcome Failed(string reason, FraudTrainingOptions options, int rows, FraudModelMetrics? candidate = null, FraudModelMetrics? parent = null, double parity = double.NaN) =>
        new(false, reason, null, candidate, parent, parity, null, rows, options);
}

/// <summary>
/// Retrains the fraud model on labelled production rows with the same pipeline that made the parent (FastTree,
/// the parent's hyperparameters and seed), and accepts the result only if, on one shared holdout, it is at
/// least as good as the parent and its ONNX export agrees with ML.NET. The result carries the reference
/// profile of its training inputs and scores, for monitoring.
/// </summary>
public sealed class FraudRetrainer(RetrainingOptions? options = null)
{
    private readonly RetrainingOptions _options = options ?? new RetrainingOptions();

    public RetrainingOutcome Retrain(IReadOnlyList<FraudTransaction> rows, byte[] parentOnnxModel, FraudTrainingOptions trainingOptions)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parentOnnxModel);
        ArgumentNullException.ThrowIfNull(trainingOptions);
        var positives = rows.Count(row => row.IsFraud);
        var negatives = rows.Count - positives;
        if (rows.Count < _options.MinimumRows || positives < _options.MinimumRowsPerClass || negatives < _options.MinimumRowsPerClass)
        {
            return RetrainingOutcome.Failed(
                $"not enough labels: {rows.Count} rows ({positives} positive, {negatives} negative); need {_options.MinimumRows} rows and {_options.MinimumRowsPerClass} of each class",
                trainingOptions,
                rows.Count);
        }

        // One holdout for both models, drawn with the run's seed, never seen by the candidate's training.
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(trainingOptions.Seed).Shuffle(order);
        var holdoutCount = Math.Max(1, (int)Math.Round(rows.Count * _options.HoldoutFraction));
        var holdout = order.Take(holdoutCount).Select(i => rows[i]).ToList();
        var training = order.Skip(holdoutCount).Select(i => rows[i]).ToList();
        if (holdout.All(row => row.IsFraud) || holdout.All(row => !row.IsFraud))
        {
            return RetrainingOutcome.Failed("the holdout holds only one class; send more labelled rows", trainingOptions, rows.Count);
        }

        var candidate = new FraudModelTrainer().Train(training, trainingOptions);
        var candidateMetrics = candidate.Evaluate(holdout);
        var parentScores = Score(parentOnnxModel, holdout);
        var parentMetrics = Metrics(parentScores, holdout);

        var candidateScores = Score(candidate.OnnxModel, holdout);
        var parity = 0.0;
        for (var i = 0; i < holdout.Count; i++)
        {
            parity = Math.Max(parity, Math.Abs(candidateScores[i] - candidate.PredictProbability(holdout[i].Features)));
        }

        if (parity > _options.ParityTolerance)
        {
            return RetrainingOutcome.Failed(
                $"parity check failed: ONNX Runtime and ML.NET differ by up to {parity:E2} on the holdout (tolerance {_options.ParityTolerance:E0})",
                trainingOptions, rows.Count, candidateMetrics, parentMetrics, parity);
        }

        if (candidateMetrics.Auc < parentMetrics.Auc - _options.MaximumAucLoss)
        {
            return RetrainingOutcome.Failed(
                $"worse than the parent on the same holdout: AUC {candidateMetrics.Auc:F4} vs {parentMetrics.Auc:F4}",
                trainingOptions, rows.Count, candidateMetrics, parentMetrics, parity);
        }

        // Inputs from the training rows; scores from the holdout, because scores on rows the trees were fitted to are
        // more extreme than anything live traffic will get, and prediction drift would be flagged from the first window.
        var profile = ReferenceProfile.FromRows(
            FraudFeatures.Names,
            [.. training.Select(row => row.Features)],
            new Dictionary<string, IReadOnlyList<double>> { ["probability"] = [.. candidateScores.Select(score => (double)score)] });
        return new RetrainingOutcome(
            true,
            $"AUC {candidateMetrics.Auc:F4} vs parent {parentMetrics.Auc:F4} on {holdout.Count} held-out rows",
            candidate.OnnxModel,
            candidateMetrics,
            parentMetrics,
            parity,
            profile,
            rows.Count,
            trainingOptions);
    }

    /// <summary>Probabilities of the positive class from an ONNX export of the fraud pipeline.</summary>
    public static float[] Score(byte[] onnxModel, IReadOnlyList<FraudTransaction> rows)
    {
        using var session = new InferenceSession(onnxModel);
        var features = new float[rows.Count * FraudFeatures.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Features.CopyTo(features, i * FraudFeatures.Count);
        }

        using var input = OrtValue.CreateTensorValueFromMemory(features, [rows.Count, FraudFeatures.Count]);
        using var outputs = session.Run(new RunOptions(), ["Features"], [input], ["Probability.output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>AUC, accuracy at 0.5, log-loss and F1 of scores against labels.</summary>
    public static FraudModelMetrics Metrics(float[] scores, IReadOnlyList<FraudTransaction> rows)
    {
        double logLoss = 0;
        int correct = 0, truePositives = 0, falsePositives = 0, falseNegatives = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var p = Math.Clamp(scores[i], 1e-7, 1 - 1e-7);
            var predicted = scores[i] >= 0.5f;
            var actual = rows[i].IsFraud;
            correct += predicted == actual ? 1 : 0;
            truePositives += predicted && actual ? 1 : 0;
            falsePositives += predicted && !actual ? 1 : 0;
            falseNegatives += !predicted && actual ? 1 : 0;
            logLoss -= actual ? Math.Log(p) : Math.Log(1 - p);
        }

        // AUC by ranks (Mann-Whitney), ties counted half.
        var ranked = Enumerable.Range(0, rows.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositives = 0;
        var position = 0;
        while (position < ranked.Length)
        {
            var end = position;
            while (end + 1 < ranked.Length && scores[ranked[end + 1]] == scores[ranked[position]])
            {
                end++;
            }

            var averageRank = (position + end) / 2.0 + 1;
            for (var k = position; k <= end; k++)
            {
                rankSumPositives += rows[ranked[k]].IsFraud ? averageRank : 0;
            }

            position = end + 1;
        }

        double positives = rows.Count(row => row.IsFraud), negatives = rows.Count - positives;
        var auc = positives == 0 || negatives == 0 ? double.NaN : (rankSumPositives - positives * (positives + 1) / 2) / (positives * negatives);
        var precision = truePositives + falsePositives == 0 ? 0 : (double)truePositives / (truePositives + falsePositives);
        var recall = truePositives + falseNegatives == 0 ? 0 : (double)truePositives / (truePositives + falseNegatives);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new FraudModelMetrics(auc, (double)correct / rows.Count, logLoss / rows.Count, f1, rows.Count);
    }
}
