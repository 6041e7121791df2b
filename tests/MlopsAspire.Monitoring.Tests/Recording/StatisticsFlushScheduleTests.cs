using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Monitoring.Recording;

namespace MlopsAspire.Monitoring.Tests.Recording;

public sealed class StatisticsFlushScheduleTests
{
    [Fact]
    public void Drains_fall_on_whole_intervals_of_the_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 300, TimeSpan.Zero));
        var schedule = new StatisticsFlushSchedule(clock);

        Assert.Equal(TimeSpan.FromSeconds(1), schedule.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(700), schedule.DelayUntilNextFlush());
        Assert.False(schedule.IsDue);

        clock.Advance(TimeSpan.FromMilliseconds(710));
        Assert.True(schedule.IsDue);
        Assert.Equal(TimeSpan.Zero, schedule.DelayUntilNextFlush());
        var end = schedule.BeginFlush();

        Assert.Equal(clock.GetUtcNow(), end);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 2, TimeSpan.Zero), schedule.NextFlush);
    }

    [Fact]
    public void A_late_drain_skips_to_the_next_boundary_instead_of_catching_up()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var schedule = new StatisticsFlushSchedule(clock, TimeSpan.FromMilliseconds(500));

        clock.Advance(TimeSpan.FromMilliseconds(1_730));
        schedule.BeginFlush();

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 2, TimeSpan.Zero), schedule.NextFlush);
    }

    [Fact]
    public async Task Waiting_completes_when_the_clock_reaches_the_next_drain()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 250, TimeSpan.Zero));
        var schedule = new StatisticsFlushSchedule(clock);

        var wait = schedule.WaitUntilDueAsync();
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(750));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(schedule.IsDue);
    }

    [Fact]
    public void A_non_positive_interval_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StatisticsFlushSchedule(TimeProvider.System, TimeSpan.Zero));
}
