namespace MlopsAspire.LoadTest.Scheduling;

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
