namespace MlopsAspire.ModelContracts.Tests;

/// <summary>Every contract key read as documented; every unknown, mistyped or contradictory value refused by name.</summary>
public sealed class ModelContractReaderTests
{
    [Fact]
    public void Every_key_is_read()
    {
        var contract = ModelContractReader.Parse("""
            {
              "max_batch_size": 64,
              "task": "binary-classification",
              "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"], "ranges": { "wind": [0, 200] }, "categories": { "temp_min": [3, 1, 2, 1] } } },
              "outputs": { "score": { "name": "probabilities", "column": 1 }, "label": "label", "classes": ["dry", "rain"] },
              "feedback": { "labels": "class-name" },
              "training": { "trainer": "mlnet-lightgbm", "label": "rain", "parameters": { "NumberOfLeaves": 31, "Objective": "binary", "Unbalanced": true } },
            }
            """);

        Assert.Equal(ModelTask.BinaryClassification, contract.Task);
        var input = Assert.Single(contract.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(["temp_max", "temp_min", "wind"], input.Features);
        Assert.Equal(new ValueRange(0, 200), input.Ranges["wind"]);
        Assert.Equal([1.0, 2, 3], input.Categories["temp_min"]);
        Assert.Equal(new ScoreOutput("probabilities", 1), contract.Outputs.Score);
        Assert.Equal("label", contract.Outputs.Label);
        Assert.Equal(["dry", "rain"], contract.Outputs.Classes);
        Assert.Equal(LabelEncoding.ClassName, contract.FeedbackLabels);
        Assert.Equal(LabelEncoding.ClassName, contract.Labels);
        Assert.Equal("mlnet-lightgbm", contract.Training!.Trainer);
        Assert.Equal("rain", contract.Training.Label);
        Assert.Equal(new Dictionary<string, string> { ["NumberOfLeaves"] = "31", ["Objective"] = "binary", ["Unbalanced"] = "true" }, contract.Training.Parameters);
        Assert.False(contract.IsEmpty);
    }

    [Fact]
    public void A_score_may_be_named_by_a_string_and_labels_follow_the_task_when_not_declared()
    {
        Assert.Equal(new ScoreOutput("p"), ModelContractReader.Parse("""{ "outputs": { "score": "p" } }""").Outputs.Score);
        Assert.Equal(LabelEncoding.Binary, ModelContractReader.Parse("""{ "task": "binary-classification" }""").Labels);
        Assert.Equal(LabelEncoding.ClassIndex, ModelContractReader.Parse("""{ "task": "multiclass-classification" }""").Labels);
        Assert.Equal(LabelEncoding.ClassName, ModelContractReader.Parse("""{ "task": "multiclass-classification", "outputs": { "classes": ["a", "b", "c"] } }""").Labels);
        Assert.Equal(LabelEncoding.Numeric, ModelContractReader.Parse("""{ "task": "regression" }""").Labels);
        Assert.Null(ModelContractReader.Parse("""{ "task": "other" }""").Labels);
        Assert.Equal("label", ModelContractReader.Parse("""{ "task": "regression", "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "mlnet-sdca" } }""").Training!.Label);
    }

    [Fact]
    public void No_document_and_serving_keys_alone_are_no_contract()
    {
        Assert.Same(ModelContract.None, ModelContractReader.Parse(null));
        Assert.Same(ModelContract.None, ModelContractReader.Parse("  "));
        Assert.True(ModelContractReader.Parse("""{ "max_batch_size": 8 }""").IsEmpty);
    }

    [Theory]
    [InlineData("""{ "task": "classification" }""", "'task' must be one of binary-classification, multiclass-classification, regression, other; got \"classification\"")]
    [InlineData("""{ "inputs": { "x": { "feature": ["a"] } } }""", "unknown field 'inputs.x.feature'; allowed fields of 'inputs.x' are features, ranges, categories")]
    [InlineData("""{ "inputs": { "x": { "features": ["a", "a"] } } }""", "'inputs.x.features' must not repeat a name; got \"a\" twice")]
    [InlineData("""{ "inputs": { "x": { "features": [] } } }""", "'inputs.x.features' must be an array of 1 to 4096 strings; got an array of 0")]
    [InlineData("""{ "inputs": { "x": { "features": ["a"], "ranges": { "b": [0, 1] } } } }""", "'inputs.x' gives a range or categories for 'b', which is not one of its features (a)")]
    [InlineData("""{ "inputs": { "x": { "features": ["a"], "ranges": { "a": [2, 1] } } } }""", "'inputs.x.ranges.a' must be [minimum, maximum] with minimum ≤ maximum; got [2, 1]")]
    [InlineData("""{ "inputs": { "x": { "ranges": { "a": [0, 1] } } } }""", "'inputs.x' gives ranges or categories but no 'features' to say which columns they are")]
    [InlineData("""{ "outputs": { "scores": "p" } }""", "unknown field 'outputs.scores'; allowed fields of 'outputs' are score, label, classes")]
    [InlineData("""{ "outputs": { "score": { "column": 1 } } }""", "'outputs.score' must be an output's name or { \"name\": ..., \"column\": ... }; got an object without a name")]
    [InlineData("""{ "outputs": { "score": { "name": "p", "column": -1 } } }""", "'outputs.score.column' must be an integer from 0 to 1000; got -1")]
    [InlineData("""{ "outputs": { "score": 3 } }""", "'outputs.score' must be an object; got 3")]
    [InlineData("""{ "task": "binary-classification", "outputs": { "classes": ["a", "b", "c"] } }""", "'outputs.classes' must name exactly 2 classes (negative, positive) for binary-classification; got 3 names")]
    [InlineData("""{ "task": "regression", "outputs": { "classes": ["a", "b"] } }""", "'outputs.classes' names classes, but the task is regression")]
    [InlineData("""{ "feedback": { } }""", "'feedback' must say how labels are read: { \"labels\": \"binary\" | \"class-name\" | \"class-index\" | \"numeric\" }; got an empty object")]
    [InlineData("""{ "feedback": { "labels": "binary" } }""", "'feedback.labels' needs a 'task' with labels: binary-classification, multiclass-classification or regression")]
    [InlineData("""{ "task": "regression", "feedback": { "labels": "binary" } }""", "'feedback.labels' must be one of numeric for regression; got \"binary\"")]
    [InlineData("""{ "task": "multiclass-classification", "feedback": { "labels": "class-name" } }""", "'feedback.labels' is class-name, but 'outputs.classes' names no classes")]
    [InlineData("""{ "task": "binary-classification", "inputs": { "x": { "features": ["a"] } }, "training": { "label": "y" } }""", "'training.trainer' is required: one of mlnet-fasttree, mlnet-lightgbm, mlnet-logistic-regression, mlnet-sdca, command; got nothing")]
    [InlineData("""{ "task": "binary-classification", "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "xgboost" } }""", "'training.trainer' must be one of mlnet-fasttree, mlnet-lightgbm, mlnet-logistic-regression, mlnet-sdca, command; got \"xgboost\"")]
    [InlineData("""{ "task": "multiclass-classification", "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "mlnet-fasttree" } }""", "'training.trainer' 'mlnet-fasttree' cannot train multiclass-classification; trainers that can: mlnet-lightgbm, mlnet-logistic-regression, mlnet-sdca, command; got \"mlnet-fasttree\"")]
    [InlineData("""{ "task": "binary-classification", "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "command" } }""", "'training.command' must name the allow-listed command the 'command' trainer runs; got nothing")]
    [InlineData("""{ "task": "binary-classification", "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "mlnet-sdca", "command": "x" } }""", "'training.command' is only for the 'command' trainer, not 'mlnet-sdca'")]
    [InlineData("""{ "task": "binary-classification", "training": { "trainer": "mlnet-sdca" } }""", "'training' needs 'inputs' to name exactly one tabular input and its 'features': they are the columns of the training data")]
    [InlineData("""{ "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "mlnet-sdca" } }""", "'training' needs a 'task' the platform can retrain: binary-classification, multiclass-classification or regression")]
    [InlineData("""{ "task": "regression", "inputs": { "x": { "features": ["a"] } }, "training": { "trainer": "mlnet-sdca", "parameters": { "L2": [1] } } }""", "'training.parameters.L2' must be a string, number or true/false; got an array of 1")]
    [InlineData("""[1, 2]""", "'(root)' must be an object; got an array of 2")]
    [InlineData("""{ "task": """, "not valid JSON")]
    public void Bad_values_are_refused_naming_the_key(string json, string expected)
    {
        var error = Assert.Throws<ModelContractException>(() => ModelContractReader.Parse(json, "model.json"));
        Assert.StartsWith("model.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
