using MlopsAspire.Monitoring.Metrics;

namespace MlopsAspire.Monitoring.Tests;

public sealed class AreaUnderRocCurveTests
{
    [Fact]
    public void Auc_ranks_positives_above_negatives_and_counts_ties_as_half()
    {
        Assert.Equal(1.0, AreaUnderRocCurve.Compute([0.1f, 0.4f, 0.35f, 0.8f], [false, true, false, true]));
        Assert.Equal(0.0, AreaUnderRocCurve.Compute([0.9f, 0.1f], [false, true]));
        Assert.Equal(0.5, AreaUnderRocCurve.Compute([0.3f, 0.3f, 0.3f, 0.3f], [true, false, true, false]));

        // The positive ties one negative (half), beats one and loses to one: 1.5 of 3 pairs.
        Assert.Equal(0.5, AreaUnderRocCurve.Compute([0.5f, 0.5f, 0.2f, 0.9f], [true, false, false, false]));
        Assert.Equal(0.5, AreaUnderRocCurve.Compute([0.2f, 0.6f, 0.4f, 0.8f], [false, true, true, false]), 10);
        Assert.True(double.IsNaN(AreaUnderRocCurve.Compute([0.2f, 0.9f], [false, false])));
        Assert.True(double.IsNaN(AreaUnderRocCurve.Compute([], [])));
        Assert.Throws<ArgumentException>(() => AreaUnderRocCurve.Compute([0.2f], [true, false]));
    }
}
