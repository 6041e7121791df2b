using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Evaluation;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training;

/// <summary>
/// The fraud demo model: its ONNX export (input "Features" FP32 [-1, 12]; outputs "PredictedLabel.output",
/// "Score.output", "Probability.output" and "Features.output"), the config document it is registered with, its
/// quality on the generated rows held out of training, and an in-process ML.NET predictor the export reproduces.
/// </summary>
public sealed class FraudDemoModel
{
    private readonly TrainedTabularModel _model;

    internal FraudDemoModel(TrainedTabularModel model, TaskMetrics holdoutMetrics, int seed)
    {
        _model = model;
        HoldoutMetrics = holdoutMetrics;
        Seed = seed;
    }

    /// <summary>The model in ONNX format. The array is shared: do not modify it.</summary>
    public byte[] OnnxModel => _model.OnnxModel;

    /// <summary>Quality on the 20% of the generated rows that were held out of training.</summary>
    public TaskMetrics HoldoutMetrics { get; }

    public int Seed { get; }

    /// <summary>The version's config document: its contract, including how to retrain it.</summary>
    public static string ConfigJson => DemoModels.FraudConfigJson;

    public ModelContract Contract { get; } = ModelContractReader.Parse(ConfigJson, "fraud demo config");

    /// <summary>Calibrated probability that the transaction is fraud. Safe to call from many threads.</summary>
    public float PredictProbability(float[] features) => _model.Predict(features)[0];
}
