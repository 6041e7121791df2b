using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Tests;

/// <summary>Live metrics by task, merged from parts exactly as an offline computation over all rows gives them.</summary>
public sealed class TaskMetricsTests
{
    [Fact]
    public void Multiclass_accuracy_and_macro_F1_match_an_offline_computation_after_merging()
    {
        var random = new Random(11);
        var rows = Enumerable.Range(0, 3000).Select(_ =>
        {
            var actual = random.Next(3);
            var predicted = random.NextDouble() < 0.7 ? actual : random.Next(3);
            return (Predicted: predicted, Actual: actual);
        }).ToList();
        var parts = new[] { new OutcomeStatistics(), new OutcomeStatistics() };
        for (var i = 0; i < rows.Count; i++)
        {
            parts[i % 2].RecordClass(rows[i].Predicted, rows[i].Actual);
        }

        var merged = parts[0].Clone();
        merged.Merge(parts[1]);

        Assert.Equal(rows.Count(r => r.Predicted == r.Actual) / (double)rows.Count, merged.Accuracy, 12);
        var f1 = Enumerable.Range(0, 3).Select(k =>
        {
            double tp = rows.Count(r => r.Predicted == k && r.Actual == k), fp = rows.Count(r => r.Predicted == k && r.Actual != k), fn = rows.Count(r => r.Predicted != k && r.Actual == k);
            return 2 * tp / (2 * tp + fp + fn);
        }).Average();
        Assert.Equal(f1, merged.MacroF1, 12);
        Assert.True(double.IsNaN(merged.Auc) && double.IsNaN(merged.LogLoss) && double.IsNaN(merged.MeanAbsoluteError));
    }

    [Fact]
    public void A_confusion_matrix_grows_when_a_later_part_has_more_classes()
    {
        var small = new OutcomeStatistics();
        small.RecordClass(1, 1);
        var large = new OutcomeStatistics();
        large.RecordClass(4, 2);

        small.Merge(large);

        Assert.Equal(5, small.Classes);
        Assert.Equal(1, small.Confusion[(1 * 5) + 1]);
        Assert.Equal(1, small.Confusion[(2 * 5) + 4]);
        Assert.Equal(0.5, small.Accuracy, 12);
    }

    [Fact]
    public void Regression_MAE_and_RMSE_match_an_offline_computation_and_classification_metrics_stay_empty()
    {
        var random = new Random(12);
        var rows = Enumerable.Range(0, 2000).Select(_ => (Predicted: random.NextDouble() * 10, Actual: random.NextDouble() * 10)).ToList();
        var outcomes = new OutcomeStatistics();
        foreach (var (predicted, actual) in rows)
        {
            outcomes.RecordValue(predicted, actual);
        }

        outcomes.RecordValue(double.NaN, 1);
        var copy = outcomes.Clone();

        Assert.Equal(rows.Average(r => Math.Abs(r.Predicted - r.Actual)), copy.MeanAbsoluteError, 9);
        Assert.Equal(Math.Sqrt(rows.Average(r => (r.Predicted - r.Actual) * (r.Predicted - r.Actual))), copy.RootMeanSquaredError, 9);
        Assert.Equal(rows.Count, copy.Count);
        Assert.True(double.IsNaN(copy.Accuracy) && double.IsNaN(copy.MacroF1) && double.IsNaN(copy.Auc));
    }

    [Fact]
    public void Class_frequencies_get_a_bin_per_class_and_declared_ranges_replace_the_samples_extremes()
    {
        var profile = CategoricalProfile.FromValues("class", [0, 0, 1, 2, 2, 2], 3);
        Assert.Equal([0.5, 1.5], profile.Edges);
        Assert.Equal([2L, 1, 3], profile.ReferenceCounts);
        Assert.True(profile.IsOutOfRange(3));

        var reference = ReferenceProfile.FromRows(["a", "b"], [[1f, 10f], [2f, 20f], [3f, 30f]]);
        var declared = reference.WithExpectedRanges([new ModelContracts.ValueRange(0, 5), null]);
        Assert.Equal((0, 5), (declared.Features[0].Minimum, declared.Features[0].Maximum));
        Assert.False(declared.Features[1].IsOutOfRange(1e12));
        Assert.Same(reference, reference.WithExpectedRanges([null, null]));
    }
}
