using System.Diagnostics;
using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Reports;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

public sealed class HistogramMergeTests
{
    [Fact]
    public void Per_worker_histograms_merge_into_the_histogram_of_all_their_values()
    {
        var all = LatencyHistograms.Create();
        var workers = Enumerable.Range(0, 4).Select(_ => LatencyHistograms.Create()).ToList();
        var random = new Random(5);
        for (var i = 0; i < 40_000; i++)
        {
            var microseconds = (long)(100 * Math.Exp(random.NextDouble() * 6)); // 100 µs to 40 ms, long tail
            all.RecordValue(microseconds);
            workers[i % workers.Count].RecordValue(microseconds);
        }

        var merged = LatencyHistograms.Merge(workers);

        Assert.Equal(all.TotalCount, merged.TotalCount);
        foreach (var percentile in new[] { 50, 90, 99, 99.9, 100 })
        {
            Assert.Equal(all.GetValueAtPercentile(percentile), merged.GetValueAtPercentile(percentile));
        }

        Assert.Equal(LatencyHistograms.Summarize(all), LatencyHistograms.Summarize(merged));
        Assert.Equal(10_000, workers[0].TotalCount); // the inputs are untouched
    }

    [Fact]
    public async Task Intervals_recorded_from_many_threads_add_up_to_the_total()
    {
        var recorder = new LatencyRecorder();
        var elapsed = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                recorder.RecordSuccess(TimeSpan.FromMilliseconds(1 + (i % 10)));
            }
        })).ToArray();

        var samples = new List<IntervalSample>();
        while (!writers.All(writer => writer.IsCompleted))
        {
            samples.Add(recorder.SampleInterval(elapsed.Elapsed));
            await Task.Delay(1);
        }

        samples.Add(recorder.SampleInterval(elapsed.Elapsed));
        var total = recorder.CopyTotal();

        Assert.Equal(200_000, total.TotalCount);
        Assert.Equal(200_000, samples.Sum(sample => sample.Succeeded));
        Assert.Equal(samples, recorder.Intervals);
        Assert.Equal(10.0, LatencyHistograms.Summarize(total).MaxMs, precision: 1);
        Assert.Equal(5.0, LatencyHistograms.Summarize(total).P50Ms, precision: 1);
    }

    [Fact]
    public void Repeats_report_median_throughput_and_percentiles_and_merge_their_distribution()
    {
        var repeats = new[] { 2.0, 4.0, 3.0 }.Select(milliseconds => Measurement("fraud-unary", milliseconds, count: 1000, seconds: milliseconds)).ToList();

        var report = RunReports.From(repeats, "in-process replica", "fraud", "unary");

        Assert.Equal(3, report.Repeats);
        Assert.Equal(3000, report.Succeeded);
        Assert.Equal(1000 / 3.0, report.Throughput, precision: 6); // median of 500, 250, 333
        Assert.Equal(3.0, report.Latency.P50Ms, precision: 2);
        Assert.Equal(4.0, report.Latency.MaxMs, precision: 2);
        Assert.Equal(4.0, report.Distribution[^1].LatencyMs, precision: 2);
        Assert.Equal([500, 250, 1000 / 3.0], report.ThroughputPerRepeat);
    }

    [Fact]
    public void Repeated_comparisons_take_the_median_of_the_ratios_of_neighbouring_runs()
    {
        // The machine slowed down in the middle repeat, for both alike: pairwise ratios stay at 2.
        var reference = RunReports.From([.. new[] { 4.0, 40.0, 5.0 }.Select(ms => Measurement("reference", ms, 1000, ms))], "t", "fraud", "unary");
        var subject = RunReports.From([.. new[] { 2.0, 20.0, 2.5 }.Select(ms => Measurement("subject", ms, 1000, ms))], "t", "fraud", "unary");

        var row = ComparisonRow.Of(subject, reference);

        Assert.Equal(3, row.Pairs);
        Assert.Equal(2.0, row.ThroughputRatio, precision: 6);
        Assert.Equal(0.5, row.P50Ratio, precision: 2);
        Assert.Equal(0.5, row.P99Ratio, precision: 2);
    }

    internal static RunMeasurement Measurement(string name, double latencyMs, int count, double seconds, WorkloadSettings? workload = null)
    {
        var histogram = LatencyHistograms.Create();
        histogram.RecordValueWithCount((long)(latencyMs * 1000), count);
        return new RunMeasurement
        {
            Name = name,
            Workload = workload ?? new WorkloadSettings { Concurrency = 8 },
            Latency = histogram,
            Intervals = [new IntervalSample(1, 1, count, 0, latencyMs, latencyMs, latencyMs)],
            ErrorsByStatus = new Dictionary<string, long>(),
            Elapsed = TimeSpan.FromSeconds(seconds),
            Sent = count,
        };
    }
}
