using System.Text.Json;
using Google.Protobuf;
using MlopsAspire.FraudData;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Evaluation;
using MlopsAspire.Training.Tabular;
using MlopsAspire.Training.Trainers;
using Onnx;

namespace MlopsAspire.Training;

/// <summary>The models the platform ships for demos, tests and load tests, all available offline.</summary>
public static class DemoModels
{
    public const string FraudModelName = "fraud";
    public const string ResNet18ModelName = "resnet18";

    /// <summary>
    /// Rows generated for <see cref="TrainFraud"/>: about 1,500 frauds, enough for a holdout AUC near the
    /// ceiling the label noise allows, while training stays at a few seconds on one thread.
    /// </summary>
    public const int FraudTrainingRows = 50_000;

    /// <summary>The fraud model's feature input, as ML.NET's export names it.</summary>
    public const string FraudInput = "Features";

    /// <summary>
    /// The fraud model's config document: a binary classifier of <see cref="FraudFeatures.Names"/> on input "Features",
    /// scored by "Probability.output" (of "fraud") with its label in "PredictedLabel.output", retrained with FastTree and the
    /// hyperparameters it was first trained with.
    /// </summary>
    public static string FraudConfigJson { get; } = JsonSerializer.Serialize(new
    {
        task = "binary-classification",
        inputs = new Dictionary<string, object> { [FraudInput] = new { features = FraudFeatures.Names } },
        outputs = new { score = "Probability.output", label = "PredictedLabel.output", classes = new[] { "legitimate", "fraud" } },
        training = new
        {
            trainer = TrainerNames.FastTree,
            label = "is_fraud",
            parameters = new Dictionary<string, object>
            {
                ["NumberOfTrees"] = 100,
                ["NumberOfLeaves"] = 20,
                ["MinimumExampleCountPerLeaf"] = 10,
                ["LearningRate"] = 0.2,
            },
        },
    });

    /// <summary>
    /// Where ResNet18.onnx lies relative to the application's base directory. The package
    /// Microsoft.ML.DnnImageFeaturizer.ResNet18, referenced by this library, copies it there for this
    /// project and every project that references it.
    /// </summary>
    public static readonly string ResNet18RelativePath = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>
    /// Trains the demo fraud model on generated, undrifted data with the trainer and parameters its config names,
    /// through the same trainer retraining uses. The same seed gives a byte-identical ONNX model and identical
    /// predictions in every process.
    /// </summary>
    public static FraudDemoModel TrainFraud(int seed = 42)
    {
        var contract = ModelContractReader.Parse(FraudConfigJson, "fraud demo config");
        var generated = new FraudDataGenerator(new FraudDataOptions { Seed = seed }).Generate(FraudTrainingRows).ToList();
        var rows = LabelledRows.From([.. generated.Select(row => row.Features)], [.. generated.Select(row => row.IsFraud ? 1f : 0f)]);
        var holdoutCount = FraudTrainingRows / 5;
        var training = rows.Slice(0, rows.Count - holdoutCount);
        var holdout = rows.Slice(rows.Count - holdoutCount, holdoutCount);

        var trainer = MlNetTrainer.Create(contract.Training!.Trainer, ModelTask.BinaryClassification, contract.Training.Parameters);
        var model = trainer.Fit(training, classCount: 0, seed);
        var metrics = TaskMetrics.Compute(ModelTask.BinaryClassification, model.Predict(holdout.Features, holdout.Count), holdout.Labels);
        return new FraudDemoModel(model, metrics, seed);
    }

    /// <summary>
    /// ResNet-18 (input "Input247" FP32 [N,3,224,224], output "Pooling395_Output_0" FP32 [N,512,1,1]) with its
    /// batch dimension made symbolic. The shipped file fixes the batch at 1 in inputs, outputs, intermediate
    /// shapes and reshapes, which makes ONNX Runtime reject any other batch size.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file is not in the application's output folder.</exception>
    public static byte[] LoadResNet18WithDynamicBatch()
    {
        var path = Path.Combine(AppContext.BaseDirectory, ResNet18RelativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"ResNet-18 model not found at '{path}'. It is copied there at build time from the NuGet package " +
                "Microsoft.ML.DnnImageFeaturizer.ResNet18 (tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx) " +
                "by any project that references MlopsAspire.Training; rebuild, or restore that package.",
                path);
        }

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        // Default: leading dimension of inputs, outputs, value infos and reshape shapes becomes symbolic "N".
        model.Graph.SetDim();
        return model.ToByteArray();
    }
}
