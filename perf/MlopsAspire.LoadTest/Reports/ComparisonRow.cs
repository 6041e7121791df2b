
namespace MlopsAspire.LoadTest.Reports;

public sealed record ComparisonRow(
    string Subject,
    string Reference,
    double SubjectThroughput,
    double ReferenceThroughput,
    double SubjectP50Ms,
    double ReferenceP50Ms,
    double SubjectP99Ms,
    double ReferenceP99Ms,
    double ThroughputRatio,
    double P50Ratio,
    double P99Ratio,
    int Pairs)
{
    /// <summary>
    /// Ratios of subject to reference. When both ran the same number of interleaved repeats, each ratio is the
    /// median of the per-repeat ratios: neighbours in time share the machine's background load, so their ratio is
    /// steadier than the ratio of two medians taken at different moments.
    /// </summary>
    public static ComparisonRow Of(RunReport subject, RunReport reference)
    {
        var paired = subject.Repeats > 1 && subject.Repeats == reference.Repeats
            && subject.ThroughputPerRepeat.Count == subject.Repeats && reference.ThroughputPerRepeat.Count == reference.Repeats
            && subject.P50MsPerRepeat.Count == subject.Repeats && reference.P50MsPerRepeat.Count == reference.Repeats;
        return new ComparisonRow(
            subject.Name,
            reference.Name,
            subject.Throughput,
            reference.Throughput,
            subject.Latency.P50Ms,
            reference.Latency.P50Ms,
            subject.Latency.P99Ms,
            reference.Latency.P99Ms,
            paired ? MedianRatio(subject.ThroughputPerRepeat, reference.ThroughputPerRepeat) : Ratio(subject.Throughput, reference.Throughput),
            paired ? MedianRatio(subject.P50MsPerRepeat, reference.P50MsPerRepeat) : Ratio(subject.Latency.P50Ms, reference.Latency.P50Ms),
            paired ? MedianRatio(subject.P99MsPerRepeat, reference.P99MsPerRepeat) : Ratio(subject.Latency.P99Ms, reference.Latency.P99Ms),
            paired ? subject.Repeats : 1);
    }

    private static double Ratio(double subject, double reference) => reference > 0 ? subject / reference : double.NaN;

    private static double MedianRatio(IReadOnlyList<double> subject, IReadOnlyList<double> reference) =>
        RunReports.Median(subject.Zip(reference, Ratio).Where(double.IsFinite));
}
