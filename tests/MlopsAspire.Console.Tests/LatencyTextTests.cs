using MlopsAspire.Console.Live;

namespace MlopsAspire.Console.Tests;

public sealed class LatencyTextTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_version_without_requests_shows_a_dash_not_NaN(double milliseconds) =>
        Assert.Equal(LatencyText.None, LatencyText.Of(milliseconds));

    [Fact]
    public void A_latency_shows_at_most_two_decimals_whatever_the_culture() =>
        Assert.Equal("1.23", LatencyText.Of(1.234));
}
