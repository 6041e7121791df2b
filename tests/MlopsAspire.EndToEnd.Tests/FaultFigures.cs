using System.Globalization;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// What a fault cost the traffic, read from an open-model timeline: requests failed ÷ sent from the fault to the end,
/// the p99 before it, and the seconds until p99 was back within <see cref="RecoveredFactor"/> of before.
/// </summary>
/// <param name="Fault">What was done.</param>
/// <param name="Sent">Requests scheduled from the fault to the end of the observation.</param>
/// <param name="Failed">Of those, the ones that failed.</param>
/// <param name="Failures">Failed requests by gRPC status.</param>
/// <param name="P99BeforeMs">p99 over the seconds before the fault.</param>
/// <param name="PeakP99Ms">The worst p99 of a recovery window after the fault.</param>
/// <param name="RecoverySeconds">
/// Seconds from the fault to the start of the first window from which every later window's p99 stays within
/// <see cref="RecoveredFactor"/>× of before; null when the observation ended before that.
/// </param>
/// <param name="LostState">Lifecycle state that differs before and after (none is the only good answer).</param>
public sealed record FaultFigures(
    string Fault,
    int Sent,
    int Failed,
    string Failures,
    double P99BeforeMs,
    double PeakP99Ms,
    double? RecoverySeconds,
    IReadOnlyList<string> LostState)
{
    public const double RecoveredFactor = 1.5;

    /// <summary>Windows short enough to see a recovery, long enough that one slow request is not a p99.</summary>
    public const int WindowSeconds = 3;

    /// <summary>The second of the timeline the fault began in.</summary>
    public int FaultSecond { get; init; }

    /// <summary>The whole timeline, before and after.</summary>
    public IReadOnlyList<LoadSecond> Timeline { get; init; } = [];

    public double FailedFraction => Sent == 0 ? 0 : Failed / (double)Sent;

    /// <summary>
    /// Reads the timeline: the seconds in [<paramref name="baselineFrom"/>, <paramref name="faultAt"/>) are "before",
    /// those in [<paramref name="faultAt"/>, <paramref name="observedUntil"/>) "after".
    /// </summary>
    public static FaultFigures From(
        string fault, IReadOnlyList<LoadSecond> timeline, int baselineFrom, int faultAt, int observedUntil, IReadOnlyList<string> lostState)
    {
        var before = timeline.Where(s => s.Index >= baselineFrom && s.Index < faultAt).ToList();
        var after = timeline.Where(s => s.Index >= faultAt && s.Index < observedUntil).ToList();
        var p99Before = P99Ms(before.SelectMany(s => s.Latencies));
        var windows = Enumerable.Range(0, Math.Max(0, after.Count - WindowSeconds + 1))
            .Select(start => (Start: start, P99: P99Ms(after.Skip(start).Take(WindowSeconds).SelectMany(s => s.Latencies))))
            .ToList();
        double? recovery = null;
        for (var i = windows.Count - 1; i >= 0 && windows[i].P99 <= RecoveredFactor * p99Before; i--)
        {
            recovery = windows[i].Start;
        }

        var failures = after.SelectMany(s => s.Failures)
            .GroupBy(pair => pair.Key, pair => pair.Value)
            .Select(group => $"{group.Key} {group.Sum()}");
        return new FaultFigures(
            fault,
            after.Sum(s => s.Sent),
            after.Sum(s => s.FailedCount),
            string.Join(", ", failures),
            p99Before,
            windows.Count == 0 ? 0 : windows.Max(w => w.P99),
            recovery,
            lostState)
        {
            FaultSecond = faultAt,
            Timeline = timeline,
        };
    }

    /// <summary>One row of the figures table (RESULTS.md's columns).</summary>
    public string ToMarkdownRow() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Fault} | {Failed} ÷ {Sent} = {FailedFraction:P2}{(Failures.Length == 0 ? "" : $" ({Failures})")} | {P99BeforeMs:F1} | {PeakP99Ms:F1} | {(RecoverySeconds is { } s ? $"{s:F0}" : "not within the observation")} | {(LostState.Count == 0 ? "none" : string.Join("; ", LostState))} |");

    /// <summary>The timeline, one tab-separated line a second: fault, seconds from the fault, sent, failed, p99 (ms).</summary>
    public IEnumerable<string> TimelineRows() => Timeline.Select(second => string.Create(
        CultureInfo.InvariantCulture,
        $"{Fault}\t{second.Index - FaultSecond}\t{second.Sent}\t{second.FailedCount}\t{P99Ms(second.Latencies):F1}"));

    public const string MarkdownHeader =
        "| fault | requests failed ÷ sent | p99 before (ms) | worst 3-s p99 after (ms) | s until p99 ≤ 1.5× before | lifecycle state lost |\n|---|---|---|---|---|---|";

    private static double P99Ms(IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[(int)Math.Ceiling(0.99 * sorted.Count) - 1] * 1000;
    }
}
