using System.Runtime.InteropServices;
using MlopsAspire.FraudData;
using MlopsAspire.Training;

namespace MlopsAspire.Serving.Tests;

public sealed class FraudModelTests
{
    [Fact]
    public void Signature_is_read_from_the_onnx_metadata()
    {
        using var model = TestModels.LoadFraud();

        var input = Assert.Single(model.Signature.Inputs);
        Assert.Equal(new TensorSpec("Features", TensorDatatype.Fp32, [-1, FraudFeatures.Count]).ToString(), input.ToString());
        var probability = model.Signature.FindOutput("Probability.output");
        Assert.NotNull(probability);
        Assert.Equal(TensorDatatype.Fp32, probability.Datatype);
        Assert.Equal([-1L, 1L], probability.Shape);
        // ML.NET exports the boolean label as BOOL; the protocol carries it in bool_contents.
        Assert.Equal(TensorDatatype.Bool, model.Signature.FindOutput("PredictedLabel.output")?.Datatype);
        Assert.Contains(model.Signature.Outputs, output => output.Name == "Score.output");
    }

    [Fact]
    public async Task Probabilities_from_onnx_runtime_match_mlnet_for_typed_and_raw_inputs()
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 7 }).Generate(200).ToList();
        var features = rows.SelectMany(row => row.Features).ToArray();
        var expected = rows.Select(row => TestModels.Fraud.PredictProbability(row.Features)).ToArray();
        var engine = FraudEngine();
        long[] shape = [rows.Count, FraudFeatures.Count];

        foreach (var data in new[] { TensorData.Typed(features), TensorData.Raw(MemoryMarshal.AsBytes(features.AsSpan()).ToArray()) })
        {
            using var response = await engine.InferAsync(new InferenceRequest
            {
                ModelName = "fraud",
                Inputs = [new InferenceInput("Features", "FP32", shape, data)],
                RequestedOutputs = ["Probability.output"],
            });

            var output = Assert.Single(response.Outputs);
            Assert.Equal([rows.Count, 1L], output.Shape);
            var probabilities = output.GetValues<float>();
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.InRange(Math.Abs(probabilities[i] - expected[i]), 0, 1e-5);
            }
        }
    }

    [Fact]
    public async Task Response_carries_model_version_id_and_outputs_in_requested_order()
    {
        var engine = FraudEngine();
        var features = new FraudDataGenerator(new FraudDataOptions { Seed = 3 }).Generate(1).Single().Features;

        using var response = await engine.InferAsync(new InferenceRequest
        {
            ModelName = "fraud",
            Id = "req-17",
            Inputs = [new InferenceInput("Features", "FP32", [1, FraudFeatures.Count], TensorData.Typed(features))],
            RequestedOutputs = ["Score.output", "Probability.output"],
        });

        Assert.Equal("fraud", response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("req-17", response.Id);
        Assert.Equal(["Score.output", "Probability.output"], response.Outputs.Select(output => output.Name));
    }

    [Fact]
    public async Task All_outputs_are_returned_when_none_are_requested()
    {
        var engine = FraudEngine();
        var features = new float[FraudFeatures.Count];

        using var response = await engine.InferAsync(new InferenceRequest
        {
            ModelName = "fraud",
            Inputs = [new InferenceInput("Features", "FP32", [1, FraudFeatures.Count], TensorData.Typed(features))],
        });

        using var model = TestModels.LoadFraud();
        Assert.Equal(model.Signature.OutputNameList, response.Outputs.Select(output => output.Name));
    }

    [Fact]
    public async Task Resnet18_runs_a_batch_of_two_and_row_zero_matches_a_single_run()
    {
        var repository = new ModelRepository();
        repository.Add(OnnxModel.Load("resnet18", "1", DemoModels.LoadResNet18WithDynamicBatch()));
        repository.SetDefaultVersion("resnet18", "1");
        var engine = new InferenceEngine(repository);
        var random = new Random(5);
        var pixels = new float[2 * 3 * 224 * 224];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        using var batch = await engine.InferAsync(ResNetRequest(pixels, 2));
        using var single = await engine.InferAsync(ResNetRequest(pixels[..(3 * 224 * 224)], 1));

        var batchOutput = Assert.Single(batch.Outputs);
        Assert.Equal("Pooling395_Output_0", batchOutput.Name);
        Assert.Equal([2L, 512, 1, 1], batchOutput.Shape);
        var batchRowZero = batchOutput.GetValues<float>()[..512];
        var singleRow = single.Outputs[0].GetValues<float>();
        for (var i = 0; i < 512; i++)
        {
            Assert.InRange(Math.Abs(batchRowZero[i] - singleRow[i]), 0, 1e-4);
        }

        repository.Dispose();
    }

    private static InferenceRequest ResNetRequest(float[] pixels, int batch) => new()
    {
        ModelName = "resnet18",
        Inputs = [new InferenceInput("Input247", "FP32", [batch, 3, 224, 224], TensorData.Raw(MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray()))],
    };

    private static InferenceEngine FraudEngine()
    {
        var repository = new ModelRepository();
        repository.Add(TestModels.LoadFraud());
        repository.SetDefaultVersion("fraud", "1");
        return new InferenceEngine(repository);
    }
}
