using Microsoft.Extensions.Time.Testing;
using MlopsAspire.ServiceDefaults;

namespace MlopsAspire.Inference.Tests;

public sealed class PerSecondAllowanceTests
{
    [Fact]
    public void Allows_the_limit_each_second_and_refuses_the_rest_until_the_next()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 0, 0, 0, 100, TimeSpan.Zero));
        var allowance = new PerSecondAllowance(3, clock);

        Assert.Equal([true, true, true, false, false], Enumerable.Range(0, 5).Select(_ => allowance.TryTake()));
        clock.Advance(TimeSpan.FromMilliseconds(850));
        Assert.False(allowance.TryTake());
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => allowance.TryTake()));
    }

    [Fact]
    public void Zero_allows_nothing_and_a_negative_limit_is_refused()
    {
        var allowance = new PerSecondAllowance(0);
        Assert.False(allowance.TryTake());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerSecondAllowance(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerSecondAllowance(PerSecondAllowance.MaxPerSecond + 1));
    }
}
