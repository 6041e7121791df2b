namespace MlopsAspire.LoadTest.Scheduling;

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
