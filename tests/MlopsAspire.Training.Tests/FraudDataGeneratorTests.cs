using MlopsAspire.FraudData;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Evaluation;

namespace MlopsAspire.Training.Tests;

public sealed class FraudDataGeneratorTests(FraudModelFixture fixture) : IClassFixture<FraudModelFixture>
{
    private const int SampleRows = 20_000;

    [Fact]
    public void Same_options_give_the_same_rows()
    {
        var options = new FraudDataOptions { Seed = 7, ConceptDrift = 0.3, GlobalShift = 0.2 };

        var first = new FraudDataGenerator(options).Generate(2_000).ToList();
        var second = new FraudDataGenerator(options with { }).Generate(2_000).ToList();

        Assert.Equal(first.Select(r => r.IsFraud), second.Select(r => r.IsFraud));
        Assert.All(first.Zip(second), pair => Assert.Equal(pair.First.Features, pair.Second.Features));
    }

    [Fact]
    public void Each_call_replays_the_stream_so_a_shorter_request_is_a_prefix()
    {
        var generator = new FraudDataGenerator(new FraudDataOptions());

        var longer = generator.Generate(500).ToList();
        var shorter = generator.Generate(100).ToList();

        Assert.All(shorter.Zip(longer), pair => Assert.Equal(pair.First.Features, pair.Second.Features));
    }

    [Fact]
    public void Different_seeds_give_different_rows()
    {
        var a = new FraudDataGenerator(new FraudDataOptions { Seed = 1 }).Generate(10).ToList();
        var b = new FraudDataGenerator(new FraudDataOptions { Seed = 2 }).Generate(10).ToList();

        Assert.NotEqual(a[0].Features, b[0].Features);
    }

    [Fact]
    public void Rows_look_like_card_transactions_with_the_requested_fraud_rate()
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { FraudRate = 0.05 }).Generate(SampleRows).ToList();

        Assert.All(rows, r => Assert.Equal(FraudFeatures.Count, r.Features.Length));
        Assert.InRange(rows.Average(r => r.IsFraud ? 1.0 : 0.0), 0.04, 0.06);
        Assert.All(rows, r =>
        {
            Assert.True(r.Features[FraudFeatures.IndexOf(FraudFeatures.Amount)] >= 0);
            Assert.InRange(r.Features[FraudFeatures.IndexOf(FraudFeatures.HourOfDay)], 0f, 24f);
            Assert.Contains(r.Features[FraudFeatures.IndexOf(FraudFeatures.CardPresent)], new[] { 0f, 1f });
            Assert.Equal(Math.Round(r.Features[FraudFeatures.IndexOf(FraudFeatures.TransactionCountLast24h)]),
                r.Features[FraudFeatures.IndexOf(FraudFeatures.TransactionCountLast24h)]);
        });
    }

    [Theory]
    [InlineData(FraudFeatures.Amount, 1.0)]
    [InlineData(FraudFeatures.DistanceFromHomeKm, 2.0)]
    [InlineData(FraudFeatures.TransactionCountLast24h, 1.5)]
    [InlineData(FraudFeatures.CardPresent, -1.0)]
    [InlineData(FraudFeatures.Foreign, 0.5)]
    [InlineData(FraudFeatures.CustomerAgeYears, -0.5)]
    public void Feature_shift_moves_that_feature_by_the_requested_standard_deviations(string feature, double shift)
    {
        var baseline = Sample(new FraudDataOptions());
        var shifted = Sample(new FraudDataOptions { FeatureShift = new Dictionary<string, double> { [feature] = shift } });

        for (var f = 0; f < FraudFeatures.Count; f++)
        {
            var moved = (Mean(shifted, f) - Mean(baseline, f)) / FraudFeatures.ReferenceStandardDeviations[f];
            var expected = FraudFeatures.Names[f] == feature ? shift : 0.0;
            Assert.True(Math.Abs(moved - expected) < 0.05,
                $"{FraudFeatures.Names[f]} moved by {moved:F3} standard deviations; expected {expected}.");
        }
    }

    [Fact]
    public void Global_shift_adds_to_every_feature_and_to_per_feature_shifts()
    {
        var baseline = Sample(new FraudDataOptions());
        var shifted = Sample(new FraudDataOptions
        {
            GlobalShift = 0.5,
            FeatureShift = new Dictionary<string, double> { [FraudFeatures.Amount] = 0.5 },
        });

        foreach (var (feature, expected) in new[]
        {
            (FraudFeatures.Amount, 1.0),
            (FraudFeatures.DistanceFromHomeKm, 0.5),
            (FraudFeatures.AccountAgeDays, 0.5),
            (FraudFeatures.TransactionCountLast24h, 0.5),
            (FraudFeatures.Foreign, 0.5),
            (FraudFeatures.CustomerAgeYears, 0.5),
        })
        {
            var f = FraudFeatures.IndexOf(feature);
            var moved = (Mean(shifted, f) - Mean(baseline, f)) / FraudFeatures.ReferenceStandardDeviations[f];
            Assert.True(Math.Abs(moved - expected) < 0.05, $"{feature} moved by {moved:F3} standard deviations; expected {expected}.");
        }
    }

    [Fact]
    public void Concept_drift_keeps_the_inputs_and_the_fraud_rate_but_changes_which_rows_are_fraud()
    {
        var original = new FraudDataGenerator(new FraudDataOptions { Seed = 11 }).Generate(SampleRows).ToList();
        var drifted = new FraudDataGenerator(new FraudDataOptions { Seed = 11, ConceptDrift = 1.0 }).Generate(SampleRows).ToList();

        Assert.All(original.Zip(drifted), pair => Assert.Equal(pair.First.Features, pair.Second.Features));
        Assert.InRange(drifted.Average(r => r.IsFraud ? 1.0 : 0.0), 0.02, 0.04);
        var bothFraud = original.Zip(drifted).Count(pair => pair.First.IsFraud && pair.Second.IsFraud);
        Assert.True(bothFraud < 0.2 * original.Count(r => r.IsFraud), $"{bothFraud} rows are fraud under both patterns.");
    }

    [Fact]
    public void Concept_drift_lowers_the_original_models_quality_step_by_step()
    {
        var auc = new[] { 0.0, 0.5, 1.0 }
            .Select(drift => Auc(fixture.Model,
                new FraudDataGenerator(new FraudDataOptions { Seed = 99, ConceptDrift = drift }).Generate(SampleRows).ToList()))
            .ToArray();

        Assert.True(auc[0] > 0.9, $"AUC without drift {auc[0]:F3}");
        Assert.True(auc[1] < auc[0] - 0.1, $"AUC at half drift {auc[1]:F3} vs {auc[0]:F3}");
        Assert.True(auc[2] < 0.65, $"AUC at full drift {auc[2]:F3}");
    }

    [Fact]
    public void Invalid_options_are_rejected_with_a_message_naming_the_problem()
    {
        var unknown = Assert.Throws<ArgumentException>(() =>
            new FraudDataGenerator(new FraudDataOptions { FeatureShift = new Dictionary<string, double> { ["amout"] = 1 } }));
        Assert.Contains("amout", unknown.Message);
        Assert.Contains(FraudFeatures.Amount, unknown.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new FraudDataGenerator(new FraudDataOptions { ConceptDrift = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FraudDataGenerator(new FraudDataOptions { FraudRate = 0 }));
    }

    private static List<FraudTransaction> Sample(FraudDataOptions options) =>
        new FraudDataGenerator(options with { Seed = 3 }).Generate(SampleRows).ToList();

    private static double Mean(List<FraudTransaction> rows, int feature) => rows.Average(r => (double)r.Features[feature]);

    private static double Auc(FraudDemoModel model, List<FraudTransaction> rows) =>
        TaskMetrics.Compute(ModelTask.BinaryClassification, [.. rows.Select(row => model.PredictProbability(row.Features))], [.. rows.Select(row => row.IsFraud ? 1f : 0f)]).Values[TaskMetrics.Auc];
}
