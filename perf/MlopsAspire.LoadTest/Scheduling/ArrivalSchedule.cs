namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>
/// When each request of an open workload is meant to be sent, as offsets from the start of the run. Latency
/// is measured from these intended times, not from when the client got round to sending.
/// </summary>
public abstract class ArrivalSchedule
{
    /// <summary>Short name for reports: constant, poisson, ramp.</summary>
    public abstract string Name { get; }

    /// <summary>The mean rate over the run, requests per second.</summary>
    public abstract double MeanRate { get; }

    /// <summary>Intended send offsets in ascending order, all below <paramref name="duration"/>.</summary>
    public abstract IEnumerable<TimeSpan> Offsets(TimeSpan duration);

    public static ArrivalSchedule Constant(double rate) => new ConstantRateSchedule(rate);

    public static ArrivalSchedule Poisson(double rate, int seed) => new PoissonSchedule(rate, seed);

    public static ArrivalSchedule Ramp(double fromRate, double toRate, TimeSpan duration) => new LinearRampSchedule(fromRate, toRate, duration);

    protected static void EnsurePositiveRate(double rate, string name)
    {
        if (!(rate > 0) || !double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(name, rate, "a rate must be a positive number of requests per second");
        }
    }
}

/// <summary>Evenly spaced sends, 1/rate apart.</summary>
public sealed class ConstantRateSchedule : ArrivalSchedule
{
    private readonly double _rate;

    public ConstantRateSchedule(double rate)
    {
        EnsurePositiveRate(rate, nameof(rate));
        _rate = rate;
    }

    public override string Name => "constant";

    public override double MeanRate => _rate;

    public override IEnumerable<TimeSpan> Offsets(TimeSpan duration)
    {
        // Computed from the index, not accumulated, so rounding never drifts the rate.
        for (long i = 0; ; i++)
        {
            var offset = TimeSpan.FromSeconds(i / _rate);
            if (offset >= duration)
            {
                yield break;
            }

            yield return offset;
        }
    }
}

/// <summary>Independent arrivals (exponential gaps), the traffic of many unrelated callers; seeded, so repeatable.</summary>
public sealed class PoissonSchedule : ArrivalSchedule
{
    private readonly double _rate;
    private readonly int _seed;

    public PoissonSchedule(double rate, int seed)
    {
        EnsurePositiveRate(rate, nameof(rate));
        _rate = rate;
        _seed = seed;
    }

    public override string Name => "poisson";

    public override double MeanRate => _rate;

    public override IEnumerable<TimeSpan> Offsets(TimeSpan duration)
    {
        var random = new Random(_seed);
        var seconds = 0.0;
        while (true)
        {
            seconds += -Math.Log(1 - random.NextDouble()) / _rate;
            var offset = TimeSpan.FromSeconds(seconds);
            if (offset >= duration)
            {
                yield break;
            }

            yield return offset;
        }
    }
}

/// <summary>
/// A rate rising (or falling) linearly from one value to another over the run: a quick look at where latency
/// starts to climb.
/// </summary>
public sealed class LinearRampSchedule : ArrivalSchedule
{
    private readonly double _fromRate;
    private readonly double _toRate;
    private readonly double _seconds;

    public LinearRampSchedule(double fromRate, double toRate, TimeSpan duration)
    {
        EnsurePositiveRate(fromRate, nameof(fromRate));
        EnsurePositiveRate(toRate, nameof(toRate));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _fromRate = fromRate;
        _toRate = toRate;
        _seconds = duration.TotalSeconds;
    }

    public override string Name => "ramp";

    public override double MeanRate => (_fromRate + _toRate) / 2;

    public override IEnumerable<TimeSpan> Offsets(TimeSpan duration)
    {
        // The i-th send is where the integral of the rate, r0·t + (r1 - r0)·t²/(2T), reaches i.
        var slope = (_toRate - _fromRate) / _seconds;
        for (long i = 0; ; i++)
        {
            var seconds = Math.Abs(slope) < 1e-12
                ? i / _fromRate
                : (-_fromRate + Math.Sqrt((_fromRate * _fromRate) + (2 * slope * i))) / slope;
            if (double.IsNaN(seconds))
            {
                yield break;
            }

            var offset = TimeSpan.FromSeconds(seconds);
            if (offset >= duration || seconds >= _seconds)
            {
                yield break;
            }

            yield return offset;
        }
    }
}
