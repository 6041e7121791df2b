using MlopsAspire.Training;

namespace MlopsAspire.Inference.Tests;

/// <summary>fraud and half as in <see cref="FraudServerFixture"/>, plus a BYTES identity model "text".</summary>
public sealed class RestServerFixture : InferenceServerFixture
{
    public FraudDemoModel Fraud { get; } = FraudServerFixture.SharedFraud;

    protected override void WriteModels()
    {
        WriteModel("fraud", "1", Fraud.OnnxModel);
        WriteModel("fraud", "2", Fraud.OnnxModel);
        WriteModel("half", "1", IdentityModels.Create(elementType: 10, "x", "y", [-1, -1]));
        WriteModel("text", "1", IdentityModels.Create(elementType: 8, "s", "t", [-1]));
    }
}
