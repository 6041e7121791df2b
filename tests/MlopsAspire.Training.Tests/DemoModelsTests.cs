using Microsoft.ML.OnnxRuntime;
using MlopsAspire.FraudData;

namespace MlopsAspire.Training.Tests;

public sealed class DemoModelsTests
{
    private const string ResNetInput = "Input247";
    private const string ResNetOutput = "Pooling395_Output_0";
    private const int ImageValues = 3 * 224 * 224;
    private const int FeatureValues = 512;

    [Fact]
    public void Fraud_demo_model_is_byte_identical_for_the_same_seed()
    {
        var first = DemoModels.TrainFraud(seed: 17);
        var second = DemoModels.TrainFraud(seed: 17);

        Assert.Equal(first.OnnxModel, second.OnnxModel);
        var row = new FraudDataGenerator(new FraudDataOptions()).Generate(1).Single();
        Assert.Equal(first.PredictProbability(row.Features), second.PredictProbability(row.Features));
    }

    [Fact]
    public void ResNet18_model_file_is_copied_next_to_referencing_assemblies()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, DemoModels.ResNet18RelativePath)));
    }

    [Fact]
    public void ResNet18_accepts_any_batch_size_and_batching_does_not_change_results()
    {
        using var session = FraudDemoModelTests.CreateSession(DemoModels.LoadResNet18WithDynamicBatch());

        Assert.Equal([-1, 3, 224, 224], session.InputMetadata[ResNetInput].Dimensions);
        Assert.Equal([-1, 512, 1, 1], session.OutputMetadata[ResNetOutput].Dimensions);

        var random = new Random(1);
        var images = Enumerable.Range(0, 3)
            .Select(_ => Enumerable.Range(0, ImageValues).Select(_ => (float)random.NextDouble() * 255f).ToArray())
            .ToArray();

        var singles = images.Select(image => Run(session, image, batch: 1)).ToArray();
        var batched = Run(session, images.SelectMany(image => image).ToArray(), batch: 3);

        Assert.Equal(3 * FeatureValues, batched.Length);
        for (var b = 0; b < images.Length; b++)
        {
            Assert.Equal(FeatureValues, singles[b].Length);
            for (var i = 0; i < FeatureValues; i++)
            {
                Assert.True(Math.Abs(singles[b][i] - batched[b * FeatureValues + i]) <= 1e-5,
                    $"image {b}, feature {i}: single {singles[b][i]}, batched {batched[b * FeatureValues + i]}");
            }
        }

        Assert.Contains(singles[0], value => value != 0);
    }

    private static float[] Run(InferenceSession session, float[] images, int batch)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(images, [batch, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ResNetInput], [input], [ResNetOutput]);
        Assert.Equal([batch, 512, 1, 1], outputs[0].GetTensorTypeAndShape().Shape);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
