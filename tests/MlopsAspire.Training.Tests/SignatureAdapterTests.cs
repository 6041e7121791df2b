using Microsoft.ML.OnnxRuntime;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Onnx;
using MlopsAspire.Training.Retraining;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Tests;

/// <summary>A candidate gets exactly its parent's signature, or the run says which output it cannot reproduce.</summary>
public sealed class SignatureAdapterTests
{
    [Fact]
    public async Task Two_probability_columns_in_fp64_and_an_int64_label_are_rebuilt_from_the_export()
    {
        var contract = ModelContractReader.Parse("""
            { "task": "binary-classification", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } },
              "outputs": { "score": { "name": "probabilities", "column": 1 }, "label": "label" },
              "training": { "trainer": "mlnet-logistic-regression" } }
            """);
        var parent = ParentModels.BinaryWithTwoColumnsAndLabel([0.1f, 0, 0]);
        var rows = TabularData.Binary(1500, seed: 21);

        var outcome = await new Retrainer(BuiltInTrainerTests.SmallRuns).RetrainAsync(contract, parent, rows, TrainerCatalog.BuiltIn.Resolve(contract), 7, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Reason);
        using var session = new InferenceSession(outcome.OnnxModel!);
        Assert.Equal(["x"], session.InputMetadata.Keys);
        Assert.Equal(["probabilities", "label"], session.OutputMetadata.Keys);
        Assert.Equal(typeof(double), session.OutputMetadata["probabilities"].ElementType);
        Assert.Equal([-1, 2], session.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal(typeof(long), session.OutputMetadata["label"].ElementType);
        Assert.Equal([-1], session.OutputMetadata["label"].Dimensions);

        using var input = OrtValue.CreateTensorValueFromMemory(rows.Features[..30], [10, 3]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [input], ["probabilities", "label"]);
        var probabilities = outputs[0].GetTensorDataAsSpan<double>().ToArray();
        var labels = outputs[1].GetTensorDataAsSpan<long>().ToArray();
        for (var row = 0; row < 10; row++)
        {
            Assert.Equal(1, probabilities[2 * row] + probabilities[2 * row + 1], 6);
            Assert.Equal(probabilities[2 * row + 1] >= 0.5 ? 1 : 0, labels[row]);
        }
    }

    [Fact]
    public async Task An_output_with_no_role_and_no_counterpart_fails_the_run_naming_it()
    {
        var contract = ModelContractReader.Parse("""
            { "task": "binary-classification", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } },
              "outputs": { "score": "p" }, "training": { "trainer": "mlnet-fasttree" } }
            """);

        var outcome = await new Retrainer(BuiltInTrainerTests.SmallRuns).RetrainAsync(
            contract, ParentModels.BinaryWithEmbedding([0, 0, 0]), TabularData.Binary(1500, seed: 22), TrainerCatalog.BuiltIn.Resolve(contract), 7, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.StartsWith(
            "the candidate cannot have its parent's signature: the parent's output embedding FP32 [-1, 3] is neither 'outputs.score' nor 'outputs.label' of its config, and mlnet-fasttree's export has no output of that name (",
            outcome.Reason);
    }

    [Fact]
    public void An_export_is_renamed_to_the_parents_input_and_keeps_only_the_parents_outputs()
    {
        var contract = ModelContractReader.Parse("""
            { "task": "regression", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } },
              "outputs": { "score": "y" }, "training": { "trainer": "mlnet-sdca" } }
            """);
        var export = MlNetTrainer.Create(TrainerNames.Sdca, ModelTask.Regression, new Dictionary<string, string>())
            .Fit(TabularData.Regression(600, seed: 23), classCount: 0, seed: 1).OnnxModel;
        using (var session = new InferenceSession(export))
        {
            Assert.Contains("Score.output", session.OutputMetadata.Keys);
            Assert.Equal(["Features"], session.InputMetadata.Keys);
        }

        var adapted = OnnxSignatureAdapter.Adapt(export, ParentModels.Regression([1, 1, 1], 0), contract, TrainerNames.Sdca);

        using var adaptedSession = new InferenceSession(adapted);
        Assert.Equal(["x"], adaptedSession.InputMetadata.Keys);
        Assert.Equal(["y"], adaptedSession.OutputMetadata.Keys);
        Assert.Equal([-1], adaptedSession.OutputMetadata["y"].Dimensions);
    }
}
