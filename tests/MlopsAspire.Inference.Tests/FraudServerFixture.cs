using MlopsAspire.Training;

namespace MlopsAspire.Inference.Tests;

/// <summary>fraud versions 1 and 2 (2 is the default) and an FP16 identity model "half" (rows × any width).</summary>
public sealed class FraudServerFixture : InferenceServerFixture
{
    private static readonly Lazy<FraudDemoModel> LazyFraud = new(() => DemoModels.TrainFraud(seed: 42));

    /// <summary>Trained once per test run and shared by every fixture that serves it.</summary>
    public static FraudDemoModel SharedFraud => LazyFraud.Value;

    public FraudDemoModel Fraud { get; } = LazyFraud.Value;

    protected override void WriteModels()
    {
        WriteModel("fraud", "1", Fraud.OnnxModel);
        WriteModel("fraud", "2", Fraud.OnnxModel);
        WriteModel("half", "1", IdentityModels.Create(elementType: 10, "x", "y", [-1, -1]));
    }
}
