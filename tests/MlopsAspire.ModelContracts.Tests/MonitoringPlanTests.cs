namespace MlopsAspire.ModelContracts.Tests;

/// <summary>What monitoring does with a contract and a signature, and what it says it cannot do.</summary>
public sealed class MonitoringPlanTests
{
    private static readonly TensorDescription[] Inputs = [new("x", "FP32", [-1, 3])];

    [Fact]
    public void Without_a_contract_features_are_named_by_position_and_a_single_output_is_the_prediction()
    {
        var plan = MonitoringPlan.For(ModelContract.None, Inputs, [new("p", "FP32", [-1, 1])]);

        Assert.Equal("x", plan.FeatureInput);
        Assert.Equal(["x[0]", "x[1]", "x[2]"], plan.FeatureNamesFor(3));
        Assert.Equal(new PredictionSource("p", PredictionReading.Value), plan.Prediction);
        Assert.Equal("p", plan.PredictionName);
        Assert.False(plan.HasLiveMetrics);
        Assert.Contains("drift names features by position (x[0], x[1], …): name them in 'inputs.x.features'", plan.Limitations);
        Assert.Contains(plan.Limitations, l => l.StartsWith("live metrics need 'task'", StringComparison.Ordinal));
        Assert.Contains("retraining needs a 'training' section", plan.Limitations);
        Assert.StartsWith("live metrics need 'task'", plan.FeedbackUnusableReason);
    }

    [Fact]
    public void Several_outputs_and_no_score_mean_no_prediction_drift_and_the_plan_says_why()
    {
        var plan = MonitoringPlan.For(ModelContractReader.Parse("""{ "task": "binary-classification" }"""), Inputs,
            [new("Score.output", "FP32", [-1, 1]), new("Probability.output", "FP32", [-1, 1])]);

        Assert.Null(plan.Prediction);
        Assert.False(plan.HasLiveMetrics);
        Assert.Contains("prediction drift needs 'outputs.score': the model has 2 outputs (Score.output, Probability.output)", plan.Limitations);
        Assert.Contains("live metrics need 'outputs.score'", plan.Limitations);
        Assert.Equal("live metrics need 'outputs.score'", plan.FeedbackUnusableReason);
    }

    [Fact]
    public void A_binary_classifier_is_read_from_its_score_column()
    {
        var contract = ModelContractReader.Parse("""
            { "task": "binary-classification", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"], "ranges": { "wind": [0, 200] } } },
              "outputs": { "score": { "name": "probabilities", "column": 1 } } }
            """);
        var plan = MonitoringPlan.For(contract, Inputs, [new("probabilities", "FP32", [-1, 2])]);

        Assert.Equal(new PredictionSource("probabilities", PredictionReading.Value, 1), plan.Prediction);
        Assert.Equal(["temp_max", "temp_min", "wind"], plan.FeatureNamesFor(3));
        Assert.Equal([null, null, new ValueRange(0, 200)], plan.FeatureRanges);
        Assert.True(plan.HasLiveMetrics);
        Assert.Equal(LabelEncoding.Binary, plan.Labels);
        Assert.Null(plan.FeedbackUnusableReason);
        Assert.Equal(["retraining needs a 'training' section"], plan.Limitations);
    }

    [Fact]
    public void A_multiclass_model_predicts_its_label_or_the_argmax_of_its_scores()
    {
        TensorDescription[] outputs = [new("label", "BYTES", [-1]), new("probabilities", "FP32", [-1, 3])];
        var byLabel = MonitoringPlan.For(ModelContractReader.Parse("""
            { "task": "multiclass-classification", "outputs": { "label": "label", "classes": ["sun", "rain", "snow"] } }
            """), Inputs, outputs);
        Assert.Equal(new PredictionSource("label", PredictionReading.LabelName), byLabel.Prediction);
        Assert.Equal((MonitoringPlan.ClassPrediction, 3), (byLabel.PredictionName, byLabel.ClassCount));
        Assert.Equal(LabelEncoding.ClassName, byLabel.Labels);

        var byScores = MonitoringPlan.For(ModelContractReader.Parse("""{ "task": "multiclass-classification", "outputs": { "score": "probabilities" } }"""), Inputs, outputs);
        Assert.Equal(new PredictionSource("probabilities", PredictionReading.ArgMax), byScores.Prediction);
        Assert.Equal(3, byScores.ClassCount);
        Assert.Equal(LabelEncoding.ClassIndex, byScores.Labels);
        Assert.True(byScores.HasLiveMetrics);
    }

    [Fact]
    public void A_model_without_a_tabular_input_is_monitored_by_traffic_and_prediction()
    {
        var plan = MonitoringPlan.For(ModelContract.None, [new("image", "FP32", [-1, 3, 224, 224])], [new("embedding", "FP32", [-1, 512, 1, 1])]);
        Assert.Null(plan.FeatureInput);
        Assert.Null(plan.Prediction);
        Assert.Contains("input drift needs a tabular [N, F] numeric input; this model has none", plan.Limitations);
    }
}
