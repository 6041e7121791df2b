using Microsoft.Extensions.Time.Testing;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// A view of a shared fake clock that counts the timers set on it: a background service sets one each time it waits,
/// so a test can move the clock only once the service waits.
/// </summary>
internal sealed class TimerCountingClock(FakeTimeProvider clock) : TimeProvider
{
    private int _timersCreated;

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timersCreated);
        return clock.CreateTimer(callback, state, dueTime, period);
    }
}
