using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using MlopsAspire.FraudData;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Evaluation;

namespace MlopsAspire.Training.Tests;

/// <summary>The fraud demo, trained by the same FastTree trainer retraining uses, with the contract it is registered with.</summary>
public sealed class FraudDemoModelTests(FraudModelFixture fixture) : IClassFixture<FraudModelFixture>
{
    [Fact]
    public void Demo_model_separates_fraud_well_on_its_holdout()
    {
        var metrics = fixture.Model.HoldoutMetrics;

        Assert.Equal(DemoModels.FraudTrainingRows / 5, metrics.Rows);
        Assert.True(metrics.Values[TaskMetrics.Auc] > 0.85, $"holdout AUC {metrics.Values[TaskMetrics.Auc]:F3}");
        Assert.True(metrics.Values[TaskMetrics.Auc] < 0.999, "labels are noisy, a perfect AUC means the generator leaks the label");
        Assert.True(metrics.Values[TaskMetrics.Accuracy] > 0.95, $"holdout accuracy {metrics.Values[TaskMetrics.Accuracy]:F3}");
    }

    [Fact]
    public void Its_config_declares_the_task_features_output_roles_and_how_to_retrain_it()
    {
        var contract = fixture.Model.Contract;

        Assert.Equal(ModelTask.BinaryClassification, contract.Task);
        var input = Assert.Single(contract.Inputs);
        Assert.Equal("Features", input.Name);
        Assert.Equal(FraudFeatures.Names, input.Features);
        Assert.Equal(new ScoreOutput("Probability.output"), contract.Outputs.Score);
        Assert.Equal("PredictedLabel.output", contract.Outputs.Label);
        Assert.Equal(TrainerNames.FastTree, contract.Training!.Trainer);
        Assert.Equal("100", contract.Training.Parameters["NumberOfTrees"]);

        using var session = CreateSession(fixture.Model.OnnxModel);
        ModelContractCheck.Against(
            contract,
            [.. session.InputMetadata.Select(pair => Describe(pair.Key, pair.Value))],
            [.. session.OutputMetadata.Select(pair => Describe(pair.Key, pair.Value))]);
    }

    [Fact]
    public void Onnx_runtime_reproduces_the_mlnet_probabilities()
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 123 }).Generate(1_000).ToList();
        using var session = CreateSession(fixture.Model.OnnxModel);

        var probabilities = RunProbabilities(session, rows);

        for (var i = 0; i < rows.Count; i++)
        {
            var expected = fixture.Model.PredictProbability(rows[i].Features);
            Assert.True(Math.Abs(expected - probabilities[i]) <= 1e-5, $"row {i}: ML.NET {expected}, ONNX Runtime {probabilities[i]}");
        }
    }

    [Fact]
    public void Onnx_model_takes_a_batch_of_feature_vectors_and_names_its_outputs()
    {
        using var session = CreateSession(fixture.Model.OnnxModel);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("Features", input.Key);
        Assert.Equal([-1, FraudFeatures.Count], input.Value.Dimensions);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Contains("PredictedLabel.output", session.OutputMetadata.Keys);
        Assert.Contains("Score.output", session.OutputMetadata.Keys);
        Assert.Equal([-1, 1], session.OutputMetadata["Probability.output"].Dimensions);
    }

    [Fact]
    public void Predictions_are_the_same_from_many_threads()
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 5 }).Generate(200).ToList();
        var sequential = rows.Select(r => fixture.Model.PredictProbability(r.Features)).ToArray();

        var parallel = new float[rows.Count];
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = fixture.Model.PredictProbability(rows[i].Features));

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Wrong_feature_count_is_rejected_with_the_expected_count()
    {
        var error = Assert.Throws<ArgumentException>(() => fixture.Model.PredictProbability(new float[3]));
        Assert.Contains(FraudFeatures.Count.ToString(CultureInfo.InvariantCulture), error.Message);
    }

    internal static InferenceSession CreateSession(byte[] model)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(model, options);
    }

    internal static TensorDescription Describe(string name, NodeMetadata metadata) =>
        new(name, metadata.ElementDataType switch
        {
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => "FP32",
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double => "FP64",
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => "INT64",
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => "BOOL",
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt32 => "UINT32",
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String => "BYTES",
            var other => other.ToString(),
        }, [.. metadata.Dimensions.Select(dimension => (long)dimension)]);

    private static float[] RunProbabilities(InferenceSession session, List<FraudTransaction> rows)
    {
        var batch = rows.SelectMany(r => r.Features).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [rows.Count, FraudFeatures.Count]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["Features"], [input], ["Probability.output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
