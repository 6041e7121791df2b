namespace MlopsAspire.LoadTest.Scheduling;

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
