using MlopsAspire.FraudData;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Evaluation;
using MlopsAspire.Training.Onnx;
using MlopsAspire.Training.Retraining;
using MlopsAspire.Training.Tabular;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Tests;

/// <summary>The fraud demo retrained through the same path as any model: its contract names FastTree and its parameters.</summary>
public sealed class FraudRetrainingTests(FraudModelFixture fixture) : IClassFixture<FraudModelFixture>
{
    [Fact]
    public async Task After_concept_drift_the_retrained_model_recovers_the_accuracy_the_parent_lost()
    {
        var parent = fixture.Model;
        var before = Metrics(parent.OnnxModel, Rows(conceptDrift: 0, seed: 100, count: 5000));
        var driftedLive = Rows(conceptDrift: 1, seed: 101, count: 5000);
        var parentAfterDrift = Metrics(parent.OnnxModel, driftedLive);
        Assert.True(parentAfterDrift.Values[TaskMetrics.Auc] < before.Values[TaskMetrics.Auc] - 0.05, $"concept drift should hurt the parent: {before} -> {parentAfterDrift}");

        var outcome = await new Retrainer().RetrainAsync(
            parent.Contract, parent.OnnxModel, Rows(conceptDrift: 1, seed: 102, count: 20_000), TrainerCatalog.BuiltIn.Resolve(parent.Contract), parent.Seed, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.StartsWith("AUC ", outcome.Reason);
        Assert.True(outcome.CandidateMetrics!.Primary > outcome.ParentMetrics!.Primary);
        Assert.True(outcome.ParityMaxDifference <= 1e-5);
        Assert.Equal(FraudFeatures.Names, outcome.Profile!.Features.Select(feature => feature.Name));
        Assert.Equal("Probability.output", Assert.Single(outcome.Profile.Predictions).Name);
        Assert.Equal("100", outcome.Parameters["NumberOfTrees"]);

        var retrained = Metrics(outcome.OnnxModel!, driftedLive);
        Assert.True(retrained.Values[TaskMetrics.Accuracy] >= before.Values[TaskMetrics.Accuracy] - 0.02, $"{retrained} vs pre-drift {before}");
        Assert.True(retrained.Values[TaskMetrics.Auc] > parentAfterDrift.Values[TaskMetrics.Auc] + 0.05, $"{retrained} vs parent after drift {parentAfterDrift}");
    }

    [Fact]
    public async Task A_candidate_no_better_than_its_parent_is_refused()
    {
        // Undrifted data: the parent is already at the ceiling, so demanding a clear AUC gain must fail.
        var outcome = await new Retrainer(new RetrainingOptions { MaximumMetricLoss = -0.05 }).RetrainAsync(
            fixture.Model.Contract, fixture.Model.OnnxModel, Rows(conceptDrift: 0, seed: 6, count: 6000),
            TrainerCatalog.BuiltIn.Resolve(fixture.Model.Contract), 42, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("worse than the parent on the same holdout: AUC ", outcome.Reason);
        Assert.NotNull(outcome.CandidateMetrics);
        Assert.Null(outcome.OnnxModel);
    }

    [Fact]
    public void Metrics_read_through_the_contract_match_the_mlnet_predictions()
    {
        var rows = Rows(conceptDrift: 0, seed: 7, count: 3000);
        var throughOnnx = Metrics(fixture.Model.OnnxModel, rows);
        var mlnet = TaskMetrics.Compute(ModelTask.BinaryClassification, [.. Enumerable.Range(0, rows.Count).Select(row => fixture.Model.PredictProbability(rows.Row(row).ToArray()))], rows.Labels);
        Assert.Equal(mlnet.Values[TaskMetrics.Auc], throughOnnx.Values[TaskMetrics.Auc], 4);
        Assert.Equal(mlnet.Values[TaskMetrics.Accuracy], throughOnnx.Values[TaskMetrics.Accuracy], 4);
    }

    private static TaskMetrics Metrics(byte[] onnxModel, LabelledRows rows)
    {
        using var scorer = OnnxModelScorer.Load(onnxModel, "model");
        var scores = scorer.Score(DemoModels.FraudInput, rows.Features, rows.Count, new PredictionSource("Probability.output", PredictionReading.Value), []);
        return TaskMetrics.Compute(ModelTask.BinaryClassification, scores.Predictions, rows.Labels);
    }

    private static LabelledRows Rows(double conceptDrift, int seed, int count)
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = seed, ConceptDrift = conceptDrift }).Generate(count).ToList();
        return LabelledRows.From([.. rows.Select(row => row.Features)], [.. rows.Select(row => row.IsFraud ? 1f : 0f)]);
    }
}
