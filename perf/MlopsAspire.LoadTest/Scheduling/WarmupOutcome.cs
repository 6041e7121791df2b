using System.Globalization;

namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>How a contender was warmed before it was measured.</summary>
/// <param name="Time">Warm-up traffic sent in all.</param>
/// <param name="Steady">Whether throughput had settled (false: it hit the maximum warm-up time first).</param>
/// <param name="SliceRates">Throughput of each warm-up slice, requests per second.</param>
/// <param name="CompilingShares">The share of each slice the JIT spent compiling (of one core); empty when not read.</param>
public sealed record WarmupOutcome(TimeSpan Time, bool Steady, IReadOnlyList<double> SliceRates, IReadOnlyList<double>? CompilingShares = null)
{
    public static WarmupOutcome None { get; } = new(TimeSpan.Zero, false, []);

    /// <summary>"warmed 6 s until steady (slices 9,812 → 15,210/s; JIT 41 → 0 % of a core)".</summary>
    public string Describe() => Time == TimeSpan.Zero
        ? "no warm-up"
        : string.Create(
            CultureInfo.InvariantCulture,
            $"warmed {Time.TotalSeconds:0.#} s {Verdict} (slices {string.Join(" → ", SliceRates.Select(rate => rate.ToString("#,0", CultureInfo.InvariantCulture)))}/s{Compiling})");

    // Only shown when the JIT was busy at all: a stepped test's server compiles nothing.
    private string Compiling => CompilingShares is { Count: > 0 } shares && shares.Any(share => share > 0)
        ? $"; JIT {string.Join(" → ", shares.Select(share => (share * 100).ToString("0.#", CultureInfo.InvariantCulture)))} % of a core"
        : string.Empty;

    // A re-warm between repeats is shorter than the slices steadiness is judged over; it says so rather than "unsteady".
    private string Verdict => Steady
        ? "until steady"
        : SliceRates.Count < LoadRunner.SteadyWindow ? "(a re-warm, too short to judge steadiness)" : "without reaching steady throughput";
}
