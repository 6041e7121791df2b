using MlopsAspire.Training;

namespace MlopsAspire.Inference.Tests;

/// <summary>The same models as <see cref="FraudServerFixture"/>, on a server of its own because its tests unload and load them.</summary>
public sealed class ModelControlServerFixture : InferenceServerFixture
{
    public FraudDemoModel Fraud { get; } = FraudServerFixture.SharedFraud;

    public void WriteFraudVersion(string version) => WriteModel("fraud", version, Fraud.OnnxModel);

    protected override void WriteModels()
    {
        WriteModel("fraud", "1", Fraud.OnnxModel);
        WriteModel("fraud", "2", Fraud.OnnxModel);
        WriteModel("half", "1", IdentityModels.Create(elementType: 10, "x", "y", [-1, -1]));
    }
}
