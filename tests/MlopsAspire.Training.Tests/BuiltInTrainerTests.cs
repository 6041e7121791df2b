using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Evaluation;
using MlopsAspire.Training.Onnx;
using MlopsAspire.Training.Retraining;
using MlopsAspire.Training.Tabular;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Tests;

/// <summary>
/// Every built-in trainer on every task it trains, on small generated data, against a user's parent that predicts
/// nothing useful: the candidate must load with exactly the parent's signature, agree with ML.NET, and beat it.
/// </summary>
public sealed class BuiltInTrainerTests
{
    internal static readonly RetrainingOptions SmallRuns = new() { MinimumRows = 500, MinimumRowsPerClass = 20 };

    public static TheoryData<string, string> TrainersAndTasks()
    {
        var data = new TheoryData<string, string>();
        foreach (var (trainer, tasks) in TrainerNames.BuiltIn)
        {
            foreach (var task in tasks)
            {
                data.Add(trainer, ModelContractReader.NameOf(task));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TrainersAndTasks))]
    public async Task A_trainer_beats_a_useless_parent_with_the_parents_signature(string trainer, string task)
    {
        var (contract, parent, rows) = Case(trainer, task);

        var outcome = await new Retrainer(SmallRuns).RetrainAsync(contract, parent, rows, TrainerCatalog.BuiltIn.Resolve(contract), seed: 7, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.True(outcome.CandidateMetrics!.ShortfallAgainst(outcome.ParentMetrics!) < 0, $"{outcome.CandidateMetrics} vs {outcome.ParentMetrics}");
        Assert.True(outcome.ParityMaxDifference <= (trainer == TrainerNames.LightGbm && task == "multiclass-classification" ? 5e-3 : 1e-5), $"parity {outcome.ParityMaxDifference}");
        Assert.Equal(rows.Count, outcome.TrainingRows);
        Assert.Equal(300, outcome.CandidateMetrics.Rows);
        using var parentModel = OnnxModelScorer.Load(parent, "parent");
        using var candidateModel = OnnxModelScorer.Load(outcome.OnnxModel!, "candidate");
        Assert.Equal(parentModel.Inputs, candidateModel.Inputs);
        Assert.Equal(parentModel.Outputs, candidateModel.Outputs);
        Assert.Equal(TabularData.FeatureNames, outcome.Profile!.Features.Select(feature => feature.Name));
        var expectedPrediction = contract.Task == ModelTask.MulticlassClassification ? MonitoringPlan.ClassPrediction : contract.Outputs.Score!.Name;
        Assert.Equal(expectedPrediction, Assert.Single(outcome.Profile.Predictions).Name);
    }

    [Fact]
    public async Task The_same_rows_parameters_and_seed_train_the_same_candidate()
    {
        var (contract, parent, rows) = Case(TrainerNames.LightGbm, "binary-classification", """{ "NumberOfLeaves": 4, "NumberOfIterations": 20 }""");
        var trainer = TrainerCatalog.BuiltIn.Resolve(contract);

        var first = await new Retrainer(SmallRuns).RetrainAsync(contract, parent, rows, trainer, seed: 3, CancellationToken.None);
        var second = await new Retrainer(SmallRuns).RetrainAsync(contract, parent, rows, trainer, seed: 3, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason);
        Assert.Equal(first.OnnxModel, second.OnnxModel);
        Assert.Equal(new Dictionary<string, string> { ["NumberOfLeaves"] = "4", ["NumberOfIterations"] = "20" }, first.Parameters);
    }

    [Theory]
    [InlineData("mlnet-fasttree", """{ "NumberOfTreez": 10 }""", "'training.parameters.NumberOfTreez' is not a parameter of mlnet-fasttree (binary-classification); its parameters are ")]
    [InlineData("mlnet-fasttree", """{ "NumberOfTrees": "many" }""", "'training.parameters.NumberOfTrees' must be an integer; got 'many'")]
    [InlineData("mlnet-lightgbm", """{ "LabelColumnName": "y" }""", "'training.parameters.LabelColumnName' is set by the platform, not the config")]
    [InlineData("mlnet-sdca", """{ "L2Regularization": -1 }""", "'training.parameters' of mlnet-sdca are not accepted")]
    public void Parameters_a_trainer_does_not_take_keep_the_run_from_starting(string trainer, string parameters, string expected)
    {
        var (contract, _, _) = Case(trainer, "binary-classification", parameters);
        var error = Assert.Throws<TrainerUnavailableException>(() => TrainerCatalog.BuiltIn.Resolve(contract));
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Parameters_map_to_the_trainers_options_by_name_whatever_their_case()
    {
        var (contract, _, _) = Case(TrainerNames.FastTree, "binary-classification", """{ "numberoftrees": 5, "LearningRate": 0.1, "Seed": 4 }""");
        Assert.Equal(TrainerNames.FastTree, TrainerCatalog.BuiltIn.Resolve(contract).Name);
        Assert.Contains("NumberOfLeaves", MlNetTrainer.ParameterNames(TrainerNames.LightGbm, ModelTask.MulticlassClassification));
        Assert.DoesNotContain("LabelColumnName", MlNetTrainer.ParameterNames(TrainerNames.LightGbm, ModelTask.MulticlassClassification));
    }

    [Fact]
    public async Task Too_few_labels_end_the_run_with_the_reason()
    {
        var (contract, parent, _) = Case(TrainerNames.Sdca, "binary-classification");

        var outcome = await new Retrainer().RetrainAsync(contract, parent, TabularData.Binary(400, seed: 1), TrainerCatalog.BuiltIn.Resolve(contract), 7, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("not enough labels: 400 usable rows; need 2000", outcome.Reason);
        Assert.Null(outcome.OnnxModel);
    }

    [Fact]
    public async Task Multiclass_rows_whose_label_is_not_a_class_index_are_left_out_and_counted()
    {
        var (contract, parent, rows) = Case(TrainerNames.LogisticRegression, "multiclass-classification");
        var labels = rows.Labels.ToArray();
        labels[0] = 7;
        labels[1] = 0.5f;
        var outcome = await new Retrainer(SmallRuns with { MinimumRows = rows.Count }).RetrainAsync(
            contract, parent, new LabelledRows(rows.FeatureCount, rows.Features, labels), TrainerCatalog.BuiltIn.Resolve(contract), 7, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal($"not enough labels: {rows.Count - 2} usable rows (2 more had labels the task cannot use); need {rows.Count}", outcome.Reason);
    }

    /// <summary>A contract, a parent that predicts nothing useful, and 1,500 labelled rows for a trainer and task.</summary>
    internal static (ModelContract Contract, byte[] Parent, LabelledRows Rows) Case(string trainer, string task, string parameters = "{}")
    {
        var features = string.Join(", ", TabularData.FeatureNames.Select(name => $"\"{name}\""));
        var (outputs, parent, rows) = task switch
        {
            "binary-classification" => ("""{ "score": "p" }""", ParentModels.Binary([0, 0, 0]), TabularData.Binary(1500, seed: 11)),
            "multiclass-classification" => ("""{ "score": "probabilities", "label": "label", "classes": ["dry", "rain", "snow"] }""", ParentModels.Multiclass(new float[9], 3), TabularData.Multiclass(1500, seed: 12)),
            _ => ("""{ "score": "y" }""", ParentModels.Regression([0, 0, 0], 0), TabularData.Regression(1500, seed: 13)),
        };
        var contract = ModelContractReader.Parse($$"""
            { "task": "{{task}}", "inputs": { "x": { "features": [{{features}}] } }, "outputs": {{outputs}},
              "training": { "trainer": "{{trainer}}", "label": "outcome", "parameters": {{parameters}} } }
            """);
        return (contract, parent, rows);
    }

    internal static double Primary(RetrainingOutcome outcome) => outcome.CandidateMetrics!.Values[TaskMetrics.PrimaryNameOf(outcome.CandidateMetrics.Task)];
}
