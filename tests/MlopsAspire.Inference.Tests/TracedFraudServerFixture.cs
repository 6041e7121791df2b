namespace MlopsAspire.Inference.Tests;

/// <summary>The fraud server with inference traces capped at 2 a second.</summary>
public sealed class TracedFraudServerFixture : InferenceServerFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Inference:MaxInferenceTracesPerSecond=2"];

    protected override void WriteModels() => WriteModel("fraud", "1", FraudServerFixture.SharedFraud.OnnxModel);
}
