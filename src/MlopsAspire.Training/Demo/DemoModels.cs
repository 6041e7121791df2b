using Google.Protobuf;
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

    /// <summary>
    /// Where ResNet18.onnx lies relative to the application's base directory. The package
    /// Microsoft.ML.DnnImageFeaturizer.ResNet18, referenced by this library, copies it there for this
    /// project and every project that references it.
    /// </summary>
    public static readonly string ResNet18RelativePath = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>
    /// The fraud model's config document: a binary classifier whose input <c>Features</c> holds the columns of
    /// <see cref="FraudFeatures.Names"/>, whose score is the probability of fraud and whose label output is the
    /// predicted class, retrained with ML.NET FastTree on labelled production rows.
    /// </summary>
    public static string FraudConfigJson { get; } = $$"""
        {
          "task": "binary-classification",
          "inputs": { "Features": { "features": [{{string.Join(", ", FraudFeatures.Names.Select(name => $"\"{name}\""))}}] } },
          "outputs": { "score": "Probability.output", "label": "PredictedLabel.output", "classes": ["legitimate", "fraud"] },
          "training": { "trainer": "mlnet-fasttree", "label": "is_fraud" }
        }
        """;

    /// <summary>
    /// Trains the demo fraud model on generated, undrifted data. The same seed gives a byte-identical ONNX
    /// model and identical predictions in every process.
    /// </summary>
    public static TrainedFraudModel TrainFraud(int seed = 42)
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = seed }).Generate(FraudTrainingRows).ToList();
        return new FraudModelTrainer().Train(rows, new FraudTrainingOptions { Seed = seed });
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
