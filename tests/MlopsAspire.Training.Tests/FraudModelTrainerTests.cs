using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Training.Tests;

public sealed class FraudModelTrainerTests(FraudModelFixture fixture) : IClassFixture<FraudModelFixture>
{
    [Fact]
    public void Demo_model_separates_fraud_well_on_its_holdout()
    {
        var metrics = fixture.Model.HoldoutMetrics;

        Assert.Equal(DemoModels.FraudTrainingRows / 5, metrics.Rows);
        Assert.True(metrics.Auc > 0.85, $"holdout AUC {metrics.Auc:F3}");
        Assert.True(metrics.Auc < 0.999, "labels are noisy, a perfect AUC means the generator leaks the label");
        Assert.True(metrics.Accuracy > 0.95, $"holdout accuracy {metrics.Accuracy:F3}");
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
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 5 }).Generate(400).ToList();
        var sequential = rows.Select(r => fixture.Model.PredictProbability(r.Features)).ToArray();

        var parallel = new float[rows.Count];
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i] = fixture.Model.PredictProbability(rows[i].Features));

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Same_rows_and_seed_train_the_same_model()
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 8 }).Generate(5_000).ToList();
        var options = new FraudTrainingOptions { Seed = 8, NumberOfTrees = 20 };

        var first = new FraudModelTrainer().Train(rows, options);
        var second = new FraudModelTrainer().Train(rows, options);

        Assert.Equal(first.OnnxModel, second.OnnxModel);
        Assert.Equal(first.HoldoutMetrics, second.HoldoutMetrics);
        Assert.Equal(options, first.Options);
        Assert.Equal(1_000, first.HoldoutMetrics.Rows);
    }

    [Fact]
    public void Wrong_feature_count_is_rejected_with_the_expected_count()
    {
        var error = Assert.Throws<ArgumentException>(() => fixture.Model.PredictProbability(new float[3]));
        Assert.Contains(FraudFeatures.Count.ToString(), error.Message);
    }

    internal static InferenceSession CreateSession(byte[] model)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(model, options);
    }

    private static float[] RunProbabilities(InferenceSession session, List<FraudTransaction> rows)
    {
        var batch = rows.SelectMany(r => r.Features).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [rows.Count, FraudFeatures.Count]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["Features"], [input], ["Probability.output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
