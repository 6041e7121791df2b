namespace MlopsAspire.ModelContracts.Tests;

/// <summary>A contract checked against the model it describes.</summary>
public sealed class ModelContractCheckTests
{
    private static readonly TensorDescription[] Inputs = [new("x", "FP32", [-1, 3])];
    private static readonly TensorDescription[] BinaryOutputs = [new("p", "FP32", [-1, 1]), new("probabilities", "FP32", [-1, 2]), new("label", "INT64", [-1])];

    [Fact]
    public void A_contract_that_fits_passes()
    {
        var contract = ModelContractReader.Parse("""
            { "task": "binary-classification", "inputs": { "x": { "features": ["a", "b", "c"] } },
              "outputs": { "score": { "name": "probabilities", "column": 1 }, "label": "label" },
              "training": { "trainer": "mlnet-fasttree" } }
            """);
        ModelContractCheck.Against(contract, Inputs, BinaryOutputs);
        ModelContractCheck.Against(ModelContract.None, Inputs, BinaryOutputs);
    }

    [Theory]
    [InlineData("""{ "inputs": { "y": { "features": ["a"] } } }""", "'inputs.y' names input 'y', which the model does not have; its inputs are x FP32 [-1, 3]")]
    [InlineData("""{ "inputs": { "x": { "features": ["a", "b"] } } }""", "'inputs.x.features' names 2 columns, but x FP32 [-1, 3] has 3 per row")]
    [InlineData("""{ "outputs": { "score": "score" } }""", "'outputs.score' names output 'score', which the model does not have; its outputs are p FP32 [-1, 1]; probabilities FP32 [-1, 2]; label INT64 [-1]")]
    [InlineData("""{ "task": "binary-classification", "outputs": { "score": "probabilities" } }""", "'outputs.score' names probabilities FP32 [-1, 2], which has 2 values per row; say which column is the score, e.g. { \"name\": \"probabilities\", \"column\": 1 }")]
    [InlineData("""{ "outputs": { "score": { "name": "probabilities", "column": 2 } } }""", "'outputs.score.column' is 2, but probabilities FP32 [-1, 2] has 2 column(s)")]
    [InlineData("""{ "outputs": { "score": { "name": "p", "column": 0 }, "label": "probabilities" } }""", "'outputs.label' must name an output with one label per row; probabilities FP32 [-1, 2] has 2")]
    [InlineData("""{ "task": "multiclass-classification", "outputs": { "score": "probabilities", "classes": ["a", "b", "c"] } }""", "'outputs.classes' names 3 classes, but the score output probabilities FP32 [-1, 2] has 2 columns")]
    public void A_key_that_does_not_fit_the_model_is_refused_by_name(string json, string expected)
    {
        var error = Assert.Throws<ModelContractException>(() => ModelContractCheck.Against(ModelContractReader.Parse(json), Inputs, BinaryOutputs, "model.json"));
        Assert.Equal($"model.json: {expected}", error.Message);
    }

    [Fact]
    public void Text_labels_need_class_names_and_retraining_needs_one_tabular_input()
    {
        TensorDescription[] textLabel = [new("label", "BYTES", [-1])];
        var noClasses = Assert.Throws<ModelContractException>(() =>
            ModelContractCheck.Against(ModelContractReader.Parse("""{ "task": "multiclass-classification", "outputs": { "label": "label" } }"""), Inputs, textLabel));
        Assert.Contains("list them in 'outputs.classes'", noClasses.Message);

        TensorDescription[] twoInputs = [new("x", "FP32", [-1, 3]), new("mask", "FP32", [-1, 3])];
        var training = ModelContractReader.Parse("""
            { "task": "regression", "inputs": { "x": { "features": ["a", "b", "c"] } }, "outputs": { "score": "p" }, "training": { "trainer": "mlnet-sdca" } }
            """);
        var error = Assert.Throws<ModelContractException>(() => ModelContractCheck.Against(training, twoInputs, BinaryOutputs));
        Assert.Contains("'training' retrains models with one FP32 [N, F] input; this model has x FP32 [-1, 3]; mask FP32 [-1, 3]", error.Message);
    }
}
