using HdrHistogram;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

public sealed class SchedulerTimingTests
{
    private static readonly TimeSpan StallAfter = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(200);

    // 200 requests/s for 1 s: the 200 ms stall covers about 40 scheduled requests.
    private static readonly WorkloadSettings OpenWorkload = new()
    {
        Model = WorkloadModel.Open,
        Arrival = ArrivalKind.Constant,
        Rate = 200,
        Duration = TimeSpan.FromSeconds(1),
        Warmup = TimeSpan.Zero,
        DrainTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Requests_scheduled_during_a_stall_show_the_time_they_waited()
    {
        var measurement = await RunWarmAsync(OpenWorkload, new StallingSender(StallAfter, Stall));

        AssertStallIsVisible(measurement);
        // Nothing held the sends back: the client kept to the schedule through the stall.
        Assert.InRange(measurement.Dispatch!.MaxLagMs, 0, 150);
    }

    [Fact]
    public async Task Requests_held_back_by_the_in_flight_limit_are_late_and_still_measured_from_their_intended_time()
    {
        // One request in flight at a time: while the stalled one is outstanding the client cannot send, as with a
        // closed-loop client. The held-back requests leave late, and their latency still starts at the schedule.
        var workload = OpenWorkload with { MaxInFlight = 1 };

        var measurement = await RunWarmAsync(workload, new StallingSender(StallAfter, Stall));

        AssertStallIsVisible(measurement);
        Assert.True(measurement.Dispatch!.Late >= 35, $"{measurement.Dispatch.Late} late sends");
        Assert.InRange(measurement.Dispatch.MaxLagMs, 150, 2000);
    }

    [Fact]
    public async Task A_closed_loop_client_hides_the_same_stall_in_a_single_slow_request()
    {
        // The contrast that motivates the open model: one client sees one slow request and simply sends less.
        var workload = new WorkloadSettings { Model = WorkloadModel.Closed, Concurrency = 1, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.Zero };

        var measurement = await RunWarmAsync(workload, new StallingSender(StallAfter, Stall));

        Assert.InRange(CountAtLeast(measurement.Latency, 100), 1, 1);
        Assert.InRange(measurement.Latency.GetMaxValue() / 1000.0, 150, 2000);
    }

    [Fact]
    public async Task Sends_that_never_leave_before_the_end_are_counted_as_missed()
    {
        var workload = OpenWorkload with { MaxInFlight = 1, Duration = TimeSpan.FromMilliseconds(500), DrainTimeout = TimeSpan.FromMilliseconds(200) };

        var measurement = await LoadRunner.RunAsync("hang", new HangingSender(), workload, TimeProvider.System, null, CancellationToken.None);

        var dispatch = measurement.Dispatch!;
        Assert.Equal(1, dispatch.Sent);
        Assert.Equal(100, dispatch.Scheduled);
        Assert.Equal(99, dispatch.Missed);
        Assert.Equal(0, measurement.Succeeded);
        Assert.Equal(1, measurement.ErrorsByStatus["Cancelled"]);
    }

    [Fact]
    public void Constant_schedule_sends_rate_times_duration_evenly_spaced()
    {
        var offsets = ArrivalSchedule.Constant(250).Offsets(TimeSpan.FromSeconds(2)).ToList();

        Assert.Equal(500, offsets.Count);
        Assert.Equal(TimeSpan.Zero, offsets[0]);
        Assert.Equal(4.0, (offsets[101] - offsets[100]).TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void Poisson_schedule_has_the_mean_rate_and_exponential_gaps_and_repeats_with_its_seed()
    {
        var offsets = ArrivalSchedule.Poisson(1000, seed: 3).Offsets(TimeSpan.FromSeconds(20)).ToList();
        var gaps = offsets.Zip(offsets.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();

        Assert.InRange(offsets.Count, 19_400, 20_600);
        Assert.InRange(gaps.Average(), 0.97, 1.03);
        // Exponential gaps: the standard deviation equals the mean, unlike evenly spaced sends.
        var deviation = Math.Sqrt(gaps.Average(gap => Math.Pow(gap - gaps.Average(), 2)));
        Assert.InRange(deviation, 0.9, 1.1);
        Assert.Equal(offsets.Take(100), ArrivalSchedule.Poisson(1000, seed: 3).Offsets(TimeSpan.FromSeconds(20)).Take(100));
    }

    [Fact]
    public void Ramp_schedule_speeds_up_from_its_start_rate_to_its_end_rate()
    {
        var duration = TimeSpan.FromSeconds(10);
        var offsets = ArrivalSchedule.Ramp(100, 300, duration).Offsets(duration).ToList();

        Assert.InRange(offsets.Count, 1995, 2005);
        Assert.InRange(offsets.Count(offset => offset < TimeSpan.FromSeconds(1)), 100, 112);
        Assert.InRange(offsets.Count(offset => offset >= TimeSpan.FromSeconds(9)), 288, 300);
    }

    /// <summary>
    /// Runs the workload once against a server that never stalls first, so that the measured run does not include
    /// the dispatcher's first-use costs (JIT, thread start), which it would rightly count as client lateness.
    /// </summary>
    private static async Task<RunMeasurement> RunWarmAsync(WorkloadSettings workload, StallingSender sender)
    {
        var warmup = workload with { Duration = TimeSpan.FromMilliseconds(300) };
        await LoadRunner.RunAsync("warm-up", new StallingSender(TimeSpan.MaxValue / 2, TimeSpan.Zero), warmup, TimeProvider.System, null, CancellationToken.None);
        return await LoadRunner.RunAsync("stall", sender, workload, TimeProvider.System, null, CancellationToken.None);
    }

    private static void AssertStallIsVisible(RunMeasurement measurement)
    {
        Assert.Empty(measurement.ErrorsByStatus);
        Assert.Equal(200, measurement.Succeeded);

        // About 40 requests were scheduled inside the stall, waiting from ~200 ms down to ~0: about half of them at
        // least 100 ms, and the worst the whole stall. Upper bounds leave wide room for timers that fire late on a
        // loaded machine (CI shares its cores); what matters is that many requests show the stall, not one.
        Assert.InRange(CountAtLeast(measurement.Latency, 100), 15, 45);
        Assert.InRange(measurement.Latency.GetMaxValue() / 1000.0, 180, 2000);
        Assert.InRange(measurement.Latency.GetValueAtPercentile(95) / 1000.0, 40, 1500);
    }

    private static long CountAtLeast(HistogramBase histogram, double milliseconds) =>
        histogram.RecordedValues().Where(value => value.ValueIteratedTo >= milliseconds * 1000).Sum(value => value.CountAtValueIteratedTo);
}
