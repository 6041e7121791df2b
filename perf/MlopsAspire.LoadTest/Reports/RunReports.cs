using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>Turns measurements into report rows; repeats become medians over a merged histogram.</summary>
public static class RunReports
{
    public static RunReport From(
        IReadOnlyList<RunMeasurement> repeats,
        string target,
        string model,
        string call,
        IReadOnlyDictionary<string, string>? details = null)
    {
        if (repeats.Count == 0)
        {
            throw new ArgumentException("at least one measurement is needed", nameof(repeats));
        }

        var first = repeats[0];
        var merged = LatencyHistograms.Merge(repeats.Select(repeat => repeat.Latency));
        var summaries = repeats.Select(repeat => LatencyHistograms.Summarize(repeat.Latency)).ToList();
        var mergedSummary = LatencyHistograms.Summarize(merged);
        var latency = repeats.Count == 1
            ? mergedSummary
            : new LatencySummary(
                mergedSummary.Count,
                Median(summaries.Select(s => s.MeanMs)),
                Median(summaries.Select(s => s.P50Ms)),
                Median(summaries.Select(s => s.P90Ms)),
                Median(summaries.Select(s => s.P99Ms)),
                Median(summaries.Select(s => s.P999Ms)),
                Median(summaries.Select(s => s.P9999Ms)),
                mergedSummary.MaxMs);

        var errors = repeats.SelectMany(repeat => repeat.ErrorsByStatus)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(pair => pair.Value), StringComparer.Ordinal);
        var dispatches = repeats.Select(repeat => repeat.Dispatch).OfType<DispatchOutcome>().ToList();
        var open = first.Workload.Model == WorkloadModel.Open;
        return new RunReport
        {
            Name = first.Name,
            Target = target,
            Model = model,
            Call = call,
            Workload = first.Workload.Describe(),
            DurationSeconds = first.Elapsed.TotalSeconds,
            Repeats = repeats.Count,
            Sent = repeats.Sum(repeat => repeat.Sent),
            Succeeded = repeats.Sum(repeat => repeat.Succeeded),
            Failed = repeats.Sum(repeat => repeat.Failed),
            Throughput = Median(repeats.Select(repeat => repeat.Throughput)),
            ThroughputPerRepeat = [.. repeats.Select(repeat => repeat.Throughput)],
            P50MsPerRepeat = [.. summaries.Select(summary => summary.P50Ms)],
            P99MsPerRepeat = [.. summaries.Select(summary => summary.P99Ms)],
            TargetRate = open ? first.Workload.CreateSchedule().MeanRate : null,
            AchievedRate = open ? Median(repeats.Select(repeat => repeat.Sent / repeat.Elapsed.TotalSeconds)) : null,
            LateSends = open ? dispatches.Sum(d => d.Late) : null,
            MissedSends = open ? dispatches.Sum(d => d.Missed) : null,
            MaxSendLagMs = open && dispatches.Count > 0 ? dispatches.Max(d => d.MaxLagMs) : null,
            CpuMicrosecondsPerRequest = Median(repeats.Select(repeat => repeat.CpuMicrosecondsPerRequest)),
            Latency = latency,
            ErrorsByStatus = errors,
            // The timeline of the first repeat: repeats of one workload look alike and overlaying them hides nothing new.
            Intervals = first.Intervals,
            Distribution = LatencyHistograms.Distribution(merged),
            Details = details ?? new Dictionary<string, string>(),
            Warmup = first.Warmup,
            ServerBatching = ServerBatching.Sum(repeats.Select(repeat => repeat.ServerBatching)),
        };
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
