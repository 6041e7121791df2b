using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace MlopsAspire.Training;

/// <summary>
/// Trains a FastTree binary classifier on fraud transactions, measures it on a 20% holdout and exports it
/// to ONNX. Training is single-threaded and seeded, so equal rows and options give an identical model.
/// </summary>
public sealed class FraudModelTrainer
{
    private const double HoldoutFraction = 0.2;

    public TrainedFraudModel Train(IReadOnlyList<FraudTransaction> rows, FraudTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new FraudTrainingOptions();
        if (rows.Count < 10)
        {
            throw new ArgumentException($"Training needs at least 10 rows; got {rows.Count}.", nameof(rows));
        }

        var (trainRows, holdoutRows) = SplitHoldout(rows, options.Seed);
        if (trainRows.All(r => r.Label == trainRows[0].Label))
        {
            throw new ArgumentException("Training rows must contain both fraud and legitimate transactions.", nameof(rows));
        }

        var mlContext = new MLContext(options.Seed);
        var trainer = mlContext.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
            NumberOfTrees = options.NumberOfTrees,
            NumberOfLeaves = options.NumberOfLeaves,
            MinimumExampleCountPerLeaf = options.MinimumExampleCountPerLeaf,
            LearningRate = options.LearningRate,
            Seed = options.Seed,
            // Other services share the cores; one thread also keeps the trees reproducible.
            NumberOfThreads = 1,
        });

        var model = trainer.Fit(mlContext.Data.LoadFromEnumerable(trainRows));
        var onnxModel = ExportToOnnx(mlContext, model);
        var trained = new TrainedFraudModel(mlContext, model, onnxModel, options);
        trained.HoldoutMetrics = trained.Evaluate(holdoutRows);
        return trained;
    }

    private static (List<LabelledFraudFeatureVector> Train, List<LabelledFraudFeatureVector> Holdout) SplitHoldout(
        IReadOnlyList<FraudTransaction> rows, int seed)
    {
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(seed).Shuffle(order);
        var holdoutCount = (int)Math.Round(rows.Count * HoldoutFraction);
        var holdout = order.Take(holdoutCount).Select(i => LabelledFraudFeatureVector.From(rows[i])).ToList();
        var train = order.Skip(holdoutCount).Select(i => LabelledFraudFeatureVector.From(rows[i])).ToList();
        return (train, holdout);
    }

    private static byte[] ExportToOnnx(MLContext mlContext, ITransformer model)
    {
        // Export against a features-only schema so the graph's single input is "Features" (no label input).
        var schemaOnly = mlContext.Data.LoadFromEnumerable(Array.Empty<FraudFeatureVector>());
        using var stream = new MemoryStream();
        mlContext.Model.ConvertToOnnx(model, schemaOnly, stream);
        return stream.ToArray();
    }
}
