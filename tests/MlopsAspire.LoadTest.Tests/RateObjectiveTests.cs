using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

public sealed class RateObjectiveTests
{
    private static readonly WorkloadSettings PoissonFourPerSecond = new()
    {
        Model = WorkloadModel.Open,
        Arrival = ArrivalKind.Poisson,
        Rate = 4,
        Duration = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void A_poisson_step_whose_schedule_drew_fewer_sends_than_the_mean_is_met_when_every_one_was_sent()
    {
        // The schedule drew 35 arrivals for a 4/s mean over 10 s (40 expected): every one was sent and answered fast.
        var step = HistogramMergeTests.Measurement("resnet18 @ 4/s", 100, 35, 10, PoissonFourPerSecond) with
        {
            Dispatch = new DispatchOutcome(35, 35, 0, 0, 1, TimeSpan.FromSeconds(10)),
        };

        Assert.True(new RateObjective(500, 0.001).IsMetBy(step, out var report));
        Assert.Equal((4.0, 3.5), (report.TargetRate, report.AchievedRate));
    }

    [Fact]
    public void A_step_whose_client_sent_less_than_its_schedule_asked_for_is_missed()
    {
        var step = HistogramMergeTests.Measurement("resnet18 @ 4/s", 100, 30, 10, PoissonFourPerSecond) with
        {
            Dispatch = new DispatchOutcome(40, 30, 0, 0, 1, TimeSpan.FromSeconds(10)),
        };

        Assert.False(new RateObjective(500, 0.001).IsMetBy(step, out _));
    }
}
