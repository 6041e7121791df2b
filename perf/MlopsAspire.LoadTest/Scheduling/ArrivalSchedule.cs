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
