namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// Decides when a warm-up has reached steady throughput: the last <see cref="Window"/> slices all lie within
/// <see cref="Tolerance"/> of their mean. A fixed warm-up time mixes cold and warm contenders (a gRPC echo's
/// throughput triples during its first seconds as the JIT tiers up), so each contender is warmed until it stops
/// changing, not for a time.
/// </summary>
public sealed class SteadyStateRule
{
    private readonly List<double> _rates = [];

    public SteadyStateRule(int window, double tolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tolerance);
        Window = window;
        Tolerance = tolerance;
    }

    /// <summary>How many consecutive slices must agree.</summary>
    public int Window { get; }

    /// <summary>The largest relative distance of a slice from the window's mean, e.g. 0.05 for ±5 %.</summary>
    public double Tolerance { get; }

    /// <summary>Every slice's throughput so far, in order.</summary>
    public IReadOnlyList<double> Rates => _rates;

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
            return mean > 0 && window.All(rate => Math.Abs(rate - mean) <= Tolerance * mean);
        }
    }

    /// <summary>Records one slice's throughput (requests per second) and says whether the warm-up is steady now.</summary>
    public bool Add(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        _rates.Add(rate);
        return IsSteady;
    }
}
