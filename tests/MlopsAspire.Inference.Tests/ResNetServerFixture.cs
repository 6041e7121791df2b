using MlopsAspire.Training;

namespace MlopsAspire.Inference.Tests;

/// <summary>ResNet-18 with a dynamic batch dimension.</summary>
public sealed class ResNetServerFixture : InferenceServerFixture
{
    protected override void WriteModels() =>
        WriteModel(DemoModels.ResNet18ModelName, "1", DemoModels.LoadResNet18WithDynamicBatch());
}
