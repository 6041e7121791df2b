using MlopsAspire.Training.Retraining;

namespace MlopsAspire.Training.Tests;

/// <summary>Retraining on labelled production rows after concept drift: the candidate, its checks and its failures.</summary>
public sealed class FraudRetrainerTests
{
    private static readonly Lazy<TrainedFraudModel> Parent = new(() => DemoModels.TrainFraud(42));

    [Fact]
    public void After_concept_drift_the_retrained_model_recovers_the_accuracy_the_parent_lost()
    {
        var parent = Parent.Value;
        var before = FraudRetrainer.Metrics(FraudRetrainer.Score(parent.OnnxModel, Rows(conceptDrift: 0, seed: 100, count: 5000)), Rows(conceptDrift: 0, seed: 100, count: 5000));
        var driftedLive = Rows(conceptDrift: 1, seed: 101, count: 5000);
        var parentAfterDrift = FraudRetrainer.Metrics(FraudRetrainer.Score(parent.OnnxModel, driftedLive), driftedLive);
        Assert.True(parentAfterDrift.Auc < before.Auc - 0.05, $"concept drift should hurt the parent: AUC {before.Auc:F3} -> {parentAfterDrift.Auc:F3}");

        var outcome = new FraudRetrainer().Retrain(Rows(conceptDrift: 1, seed: 102, count: 20_000), parent.OnnxModel, parent.Options);

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.True(outcome.CandidateMetrics!.Auc > outcome.ParentMetrics!.Auc);
        Assert.True(outcome.ParityMaxDifference <= 1e-5);
        Assert.Equal(FraudFeatures.Count, outcome.Profile!.Features.Count);
        Assert.Equal("probability", Assert.Single(outcome.Profile.Predictions).Name);

        var retrained = FraudRetrainer.Metrics(FraudRetrainer.Score(outcome.OnnxModel!, driftedLive), driftedLive);
        Assert.True(retrained.Accuracy >= before.Accuracy - 0.02, $"accuracy {retrained.Accuracy:P2} vs pre-drift {before.Accuracy:P2}");
        Assert.True(retrained.Auc > parentAfterDrift.Auc + 0.05, $"AUC {retrained.Auc:F3} vs parent after drift {parentAfterDrift.Auc:F3}");
    }

    [Fact]
    public void Too_few_labels_end_the_run_with_the_reason()
    {
        var outcome = new FraudRetrainer().Retrain(Rows(conceptDrift: 1, seed: 5, count: 500), Parent.Value.OnnxModel, Parent.Value.Options);
        Assert.False(outcome.Succeeded);
        Assert.StartsWith("not enough labels: 500 rows", outcome.Reason);
        Assert.Null(outcome.OnnxModel);
    }

    [Fact]
    public void A_candidate_no_better_than_its_parent_is_refused()
    {
        // Undrifted data: the parent is already at the ceiling, so demanding a clear AUC gain must fail.
        var outcome = new FraudRetrainer(new RetrainingOptions { MaximumAucLoss = -0.05 })
            .Retrain(Rows(conceptDrift: 0, seed: 6, count: 6000), Parent.Value.OnnxModel, Parent.Value.Options);
        Assert.False(outcome.Succeeded);
        Assert.StartsWith("worse than the parent on the same holdout", outcome.Reason);
        Assert.NotNull(outcome.CandidateMetrics);
    }

    [Fact]
    public void Metrics_match_the_ml_net_evaluation_of_the_same_model()
    {
        var rows = Rows(conceptDrift: 0, seed: 7, count: 3000);
        var ours = FraudRetrainer.Metrics(FraudRetrainer.Score(Parent.Value.OnnxModel, rows), rows);
        var mlnet = Parent.Value.Evaluate(rows);
        Assert.Equal(mlnet.Auc, ours.Auc, 4);
        Assert.Equal(mlnet.Accuracy, ours.Accuracy, 4);
    }

    private static List<FraudTransaction> Rows(double conceptDrift, int seed, int count) =>
        [.. new FraudDataGenerator(new FraudDataOptions { Seed = seed, ConceptDrift = conceptDrift }).Generate(count)];
}
