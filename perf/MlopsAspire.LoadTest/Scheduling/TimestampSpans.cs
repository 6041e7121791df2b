namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>Spans on a clock's own timestamp scale, whatever its frequency.</summary>
internal static class TimestampSpans
{
    /// <summary><paramref name="span"/> in <paramref name="time"/>'s timestamp units.</summary>
    public static long ToTimestampTicks(this TimeProvider time, TimeSpan span) =>
        (long)(span.Ticks * ((double)time.TimestampFrequency / TimeSpan.TicksPerSecond));

    /// <summary>
    /// <paramref name="timestampTicks"/> as a span, rounded up: a wait for it that rounding cut short would end
    /// before the clock got there.
    /// </summary>
    public static TimeSpan ToSpanRoundedUp(this TimeProvider time, long timestampTicks) =>
        TimeSpan.FromTicks((long)Math.Ceiling(timestampTicks * ((double)TimeSpan.TicksPerSecond / time.TimestampFrequency)));
}
