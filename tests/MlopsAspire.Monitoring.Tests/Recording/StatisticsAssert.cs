using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Windows;

namespace MlopsAspire.Monitoring.Tests.Recording;

internal static class StatisticsAssert
{
    /// <summary>Every count equal; latency and shadow sums (added in a different order) equal to rounding.</summary>
    public static void Equal(PredictionStatistics expected, PredictionStatistics actual)
    {
        Assert.Equal(expected.RequestCount, actual.RequestCount);
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ErrorsByStatus.OrderBy(pair => pair.Key), actual.ErrorsByStatus.OrderBy(pair => pair.Key));
        Assert.Equal(expected.NonFiniteInputs, actual.NonFiniteInputs);
        Assert.Equal(expected.OutOfRangeInputs, actual.OutOfRangeInputs);
        Assert.Equal(expected.BatchSizes, actual.BatchSizes);
        Latency(expected.QueueLatency, actual.QueueLatency);
        Latency(expected.ComputeLatency, actual.ComputeLatency);
        Latency(expected.TotalLatency, actual.TotalLatency);

        Assert.Equal(expected.Features.Length, actual.Features.Length);
        for (var i = 0; i < expected.Features.Length; i++)
        {
            Histogram(expected.Features[i], actual.Features[i]);
        }

        Assert.Equal(expected.Predictions.Length, actual.Predictions.Length);
        for (var i = 0; i < expected.Predictions.Length; i++)
        {
            Histogram(expected.Predictions[i], actual.Predictions[i]);
        }

        Assert.Equal(expected.Shadows.Keys.Order(), actual.Shadows.Keys.Order());
        foreach (var (version, comparison) in expected.Shadows)
        {
            var drained = actual.Shadows[version];
            Assert.Equal(comparison.Compared, drained.Compared);
            Assert.Equal(comparison.LabelAgreements, drained.LabelAgreements);
            Assert.Equal(comparison.Dropped, drained.Dropped);
            Assert.Equal(comparison.MaxAbsoluteDifference, drained.MaxAbsoluteDifference);
            Close(comparison.SumAbsoluteDifference, drained.SumAbsoluteDifference);
            Close(comparison.SumRelativeDifference, drained.SumRelativeDifference);
        }
    }

    private static void Latency(LatencyHistogram expected, LatencyHistogram actual)
    {
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.MaxRecordedMicroseconds, actual.MaxRecordedMicroseconds);
        Close(expected.SumMicroseconds, actual.SumMicroseconds);
    }

    private static void Histogram(BinnedHistogram expected, BinnedHistogram actual)
    {
        Assert.Equal(expected.Edges, actual.Edges);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.NonFiniteCount, actual.NonFiniteCount);
    }

    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}
