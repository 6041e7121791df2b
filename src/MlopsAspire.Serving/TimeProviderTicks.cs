
namespace MlopsAspire.Serving;

/// <summary>Time conversions between a <see cref="TimeProvider"/>'s timestamps and the <see cref="System.Diagnostics.Stopwatch"/> ticks statistics use.</summary>
public static class TimeProviderTicks
{
    public static long ToStopwatchTicks(this TimeProvider timeProvider, long timestampTicks) =>
        timeProvider.TimestampFrequency == System.Diagnostics.Stopwatch.Frequency
            ? timestampTicks
            : (long)(timestampTicks * ((double)System.Diagnostics.Stopwatch.Frequency / timeProvider.TimestampFrequency));

    /// <summary>A duration as ticks of the provider's timestamps (saturating at <see cref="long.MaxValue"/>).</summary>
    public static long ToTimestampTicks(this TimeProvider timeProvider, TimeSpan duration)
    {
        var ticks = duration.Ticks * ((double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond);
        return ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }
}
