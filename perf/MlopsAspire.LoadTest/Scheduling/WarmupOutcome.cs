namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>How a contender was warmed before it was measured.</summary>
/// <param name="Time">Warm-up traffic sent in all.</param>
/// <param name="Steady">Whether throughput had settled (false: it hit the maximum warm-up time first).</param>
/// <param name="SliceRates">Throughput of each warm-up slice, requests per second.</param>
public sealed record WarmupOutcome(TimeSpan Time, bool Steady, IReadOnlyList<double> SliceRates)
{
    public static WarmupOutcome None { get; } = new(TimeSpan.Zero, false, []);

    /// <summary>"warmed 6 s until steady (slices 9,812 → 15,210/s)".</summary>
    public string Describe() => Time == TimeSpan.Zero
        ? "no warm-up"
        : string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"warmed {Time.TotalSeconds:0.#} s {Verdict} (slices {string.Join(" → ", SliceRates.Select(rate => rate.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)))}/s)");

    // A re-warm between repeats is shorter than the slices steadiness is judged over; it says so rather than "unsteady".
    private string Verdict => Steady
        ? "until steady"
        : SliceRates.Count < LoadRunner.SteadyWindow ? "(a re-warm, too short to judge steadiness)" : "without reaching steady throughput";
}
