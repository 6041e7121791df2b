namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// Decides when a warm-up has reached steady throughput: the last <see cref="Window"/> slices all lie within
/// <see cref="Tolerance"/> of their mean, and in none of them was the JIT busy for more than
/// <see cref="MaxCompilingShare"/> of a core. A fixed warm-up time mixes cold and warm contenders (a gRPC echo's
/// throughput triples during its first seconds as the JIT tiers up), so each contender is warmed until it stops
/// changing, not for a time. Flat throughput alone is not enough: while a process still compiles new methods at
/// tier 0, the runtime keeps putting off the tier-1 recompiles of the hot ones, and throughput can sit on a plateau
/// for seconds before it jumps (a first run in a process was seen to hold 3 slices within 5 % and then run 2-3x
/// faster). The JIT's own clock says whether that is still going on.
/// </summary>
public sealed class SteadyStateRule
{
    /// <summary>
    /// The default of <see cref="MaxCompilingShare"/>: 50 ms of JIT work per second of traffic. A first run of fraud
    /// in a process showed the JIT busy for 14-80 % of a core during its plateau and 0.1-7 % once tier 1 had taken
    /// over (on a loaded machine, where throughput alone varied by ±20 %).
    /// </summary>
    public const double DefaultMaxCompilingShare = 0.05;

    private readonly List<double> _rates = [];
    private readonly List<double> _compilingShares = [];

    public SteadyStateRule(int window, double tolerance, double maxCompilingShare = DefaultMaxCompilingShare)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tolerance);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCompilingShare);
        Window = window;
        Tolerance = tolerance;
        MaxCompilingShare = maxCompilingShare;
    }

    /// <summary>How many consecutive slices must agree.</summary>
    public int Window { get; }

    /// <summary>The largest relative distance of a slice from the window's mean, e.g. 0.05 for ±5 %.</summary>
    public double Tolerance { get; }

    /// <summary>The most time the JIT may spend compiling during a steady slice, as a share of the slice's length (of one core).</summary>
    public double MaxCompilingShare { get; }

    /// <summary>Every slice's throughput so far, in order.</summary>
    public IReadOnlyList<double> Rates => _rates;

    /// <summary>Every slice's JIT compiling time as a share of its length, in order.</summary>
    public IReadOnlyList<double> CompilingShares => _compilingShares;

    public bool IsSteady
    {
        get
        {
            if (_rates.Count < Window)
            {
                return false;
            }

            var window = _rates.Skip(_rates.Count - Window).ToArray();
            var mean = window.Average();
            // A contender that completes nothing is not warming up; it is failing, and waiting will not help.
            return mean > 0
                && window.All(rate => Math.Abs(rate - mean) <= Tolerance * mean)
                && _compilingShares.Skip(_compilingShares.Count - Window).All(share => share <= MaxCompilingShare);
        }
    }

    /// <summary>
    /// Records one slice's throughput (requests per second) and the share of it the JIT spent compiling (0.1: 100 ms
    /// of compiling in a one-second slice), and says whether the warm-up is steady now.
    /// </summary>
    public bool Add(double rate, double compilingShare = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfNegative(compilingShare);
        _rates.Add(rate);
        _compilingShares.Add(compilingShare);
        return IsSteady;
    }
}
