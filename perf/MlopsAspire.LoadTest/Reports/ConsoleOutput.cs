using System.Globalization;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>
/// The live progress line and the end-of-run summary. On a terminal the progress line rewrites itself in place;
/// when output is redirected (CI logs, tests) each update is its own line.
/// </summary>
public sealed class ConsoleOutput(TextWriter writer, bool interactive, bool showProgress = true)
{
    private bool _progressLineOpen;

    public TextWriter Writer => writer;

    public void Progress(ProgressSnapshot snapshot)
    {
        if (!showProgress)
        {
            return;
        }

        var target = snapshot.TargetRate is { } rate ? $" (target {Formatting.Rate(rate)})" : string.Empty;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{snapshot.ElapsedSeconds,5:0.0}/{snapshot.DurationSeconds:0}s] {snapshot.Name}  {Formatting.Rate(snapshot.IntervalRate),8} req/s{target}  p50/p99 {Formatting.Ms(snapshot.P50Ms)}/{Formatting.Ms(snapshot.P99Ms)} ms (so far {Formatting.Ms(snapshot.RunP50Ms)}/{Formatting.Ms(snapshot.RunP99Ms)})  errors {snapshot.Errors}  in flight {snapshot.InFlight}");
        if (interactive)
        {
            writer.Write("\r" + line.PadRight(120));
            _progressLineOpen = true;
        }
        else
        {
            writer.WriteLine(line);
        }
    }

    public void Line(string text)
    {
        EndProgressLine();
        writer.WriteLine(text);
    }

    public void Summary(RunReport run)
    {
        EndProgressLine();
        var latency = run.Latency;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{run.Name} → {run.Target} ({run.Workload}, {run.DurationSeconds:0.#} s{(run.Repeats > 1 ? $", median of {run.Repeats}" : string.Empty)})"));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  throughput {Formatting.Rate(run.Throughput)} req/s   sent {run.Sent}   ok {run.Succeeded}   failed {run.Failed} ({Formatting.Percent(run.ErrorRate)})"));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  latency ms  p50 {Formatting.Ms(latency.P50Ms)}  p90 {Formatting.Ms(latency.P90Ms)}  p99 {Formatting.Ms(latency.P99Ms)}  p99.9 {Formatting.Ms(latency.P999Ms)}  max {Formatting.Ms(latency.MaxMs)}  mean {Formatting.Ms(latency.MeanMs)}"));
        if (run.TargetRate is { } targetRate)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  rate  target {Formatting.Rate(targetRate)}/s  achieved {Formatting.Rate(run.AchievedRate ?? 0)}/s  late sends {run.LateSends}  missed sends {run.MissedSends}  max send lag {Formatting.Ms(run.MaxSendLagMs ?? 0)} ms"));
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  process CPU {run.CpuMicrosecondsPerRequest:0.0} µs per request (client and in-process server together)"));
        writer.WriteLine($"  errors by status: {Formatting.Errors(run.ErrorsByStatus)}");
        if (run.ServerBatching is { } batching)
        {
            writer.WriteLine($"  server: {batching.Describe()}");
        }

        if (run.Details.Count > 0)
        {
            writer.WriteLine($"  configuration: {string.Join("  ", run.Details.Select(pair => $"{pair.Key} {pair.Value}"))}");
        }

        writer.WriteLine($"  {run.Warmup.Describe()}");
    }

    private void EndProgressLine()
    {
        if (_progressLineOpen)
        {
            writer.WriteLine();
            _progressLineOpen = false;
        }
    }
}
