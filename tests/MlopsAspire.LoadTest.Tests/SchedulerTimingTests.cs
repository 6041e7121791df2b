using HdrHistogram;
using MlopsAspire.Cli.Tests;
using MlopsAspire.LoadTest.Measurement;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// The schedulers on a stepped clock: every send time, lag and latency below is exact, whatever the machine is doing.
/// </summary>
public sealed class SchedulerTimingTests
{
    // The server freezes from 300 ms to 500 ms: every request that arrives in between is answered at 500 ms.
    private static readonly TimeSpan StallStart = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan StallEnd = TimeSpan.FromMilliseconds(500);

    // 200 requests/s for 1 s, one every 5 ms: requests 60 to 99 are scheduled inside the stall.
    private static readonly WorkloadSettings OpenWorkload = new()
    {
        Model = WorkloadModel.Open,
        Arrival = ArrivalKind.Constant,
        Rate = 200,
        Duration = TimeSpan.FromSeconds(1),
        Warmup = TimeSpan.Zero,
        DrainTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>The least a latency or lag can show: the histogram's lowest value, 1 µs.</summary>
    private static readonly double FloorMs = LatencyHistograms.ToMilliseconds(LatencyHistograms.LowestMicroseconds);

    [Fact]
    public async Task Requests_scheduled_during_a_stall_show_the_time_they_waited_and_every_send_leaves_on_schedule()
    {
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, AnswerAtOnceExceptDuringTheStall);

        var (outcome, latency) = await SteppedRuns.DispatchAsync(clock, server, OpenWorkload);

        // Nothing held the sends back: the client kept to the schedule through the stall.
        Assert.Equal(Offsets(OpenWorkload), server.Arrivals);
        Assert.Equal((200L, 200L, 0L, 0L), (outcome.Scheduled, outcome.Sent, outcome.Late, outcome.Missed));
        Assert.Equal(FloorMs, outcome.MaxLagMs);
        AssertStallIsVisible(latency);
    }

    [Fact]
    public async Task Requests_held_back_by_the_in_flight_limit_are_late_and_still_measured_from_their_intended_time()
    {
        // One request in flight at a time: while the stalled one is outstanding the client cannot send, as with a
        // closed-loop client. The held-back requests leave late, and their latency still starts at the schedule.
        var workload = OpenWorkload with { MaxInFlight = 1 };
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, AnswerAtOnceExceptDuringTheStall);

        var (outcome, latency) = await SteppedRuns.DispatchAsync(clock, server, workload);

        // Request 60 holds the only slot until 500 ms; requests 61 to 99 leave then, 195 ms down to 5 ms late.
        Assert.Equal(Offsets(workload).Select((offset, i) => i is > 60 and < 100 ? StallEnd : offset), server.Arrivals);
        Assert.Equal((200L, 200L, 39L, 0L), (outcome.Scheduled, outcome.Sent, outcome.Late, outcome.Missed));
        Assert.Equal(195, outcome.MaxLagMs);
        AssertStallIsVisible(latency);
    }

    [Fact]
    public async Task A_closed_loop_client_hides_the_same_stall_in_a_single_slow_request()
    {
        // The contrast that motivates the open model: one client sees one slow request and simply sends less.
        var workload = new WorkloadSettings { Model = WorkloadModel.Closed, Concurrency = 1, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.Zero };
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, arrived => InStall(arrived) ? StallEnd - arrived : TimeSpan.FromMilliseconds(5));

        var (sent, latency) = await SteppedRuns.RunOneClientAsync(clock, server, workload);

        // 60 requests of 5 ms, the one sent at 300 ms answered at 500 ms, then 100 more of 5 ms up to the end.
        Assert.Equal(161, sent);
        AssertDistribution(latency, (5, 160), (200, 1));
        Assert.Equal(StallStart, server.Arrivals[60]);
        Assert.Equal(StallEnd, server.Arrivals[61]);
    }

    [Fact]
    public async Task Sends_that_never_leave_before_the_end_are_counted_as_missed()
    {
        var workload = OpenWorkload with { MaxInFlight = 1, Duration = TimeSpan.FromMilliseconds(500), DrainTimeout = TimeSpan.FromMilliseconds(200) };
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, _ => Timeout.InfiniteTimeSpan);

        var measurement = await SteppedRuns.RunOpenThroughRunnerAsync(clock, server, workload);

        var dispatch = measurement.Dispatch!;
        Assert.Equal(1, dispatch.Sent);
        Assert.Equal(100, dispatch.Scheduled);
        Assert.Equal(99, dispatch.Missed);
        Assert.Equal(0, measurement.Succeeded);
        Assert.Equal(1, measurement.ErrorsByStatus["Cancelled"]);
        // The blocked sends were given up at the end of the run, the hung request after the drain time.
        Assert.Equal(TimeSpan.FromMilliseconds(500), dispatch.SendingTime);
        Assert.Equal(TimeSpan.FromMilliseconds(700), clock.Elapsed);
    }

    [Fact]
    public async Task Poisson_arrivals_leave_at_their_scheduled_times_and_each_latency_starts_there()
    {
        var workload = OpenWorkload with { Arrival = ArrivalKind.Poisson, Rate = 250, Seed = 3, Duration = TimeSpan.FromSeconds(2) };
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, _ => TimeSpan.FromMilliseconds(3));

        var (outcome, latency) = await SteppedRuns.DispatchAsync(clock, server, workload);

        var offsets = Offsets(workload);
        Assert.Equal(offsets, server.Arrivals);
        Assert.InRange(offsets.Count, 450, 550); // the target rate over the run
        Assert.Equal((offsets.Count, offsets.Count, 0L, 0L), ((int)outcome.Scheduled, (int)outcome.Sent, outcome.Late, outcome.Missed));
        AssertDistribution(latency, (3, offsets.Count));
    }

    [Fact]
    public async Task A_run_starts_no_request_after_its_duration_and_reports_progress_each_second()
    {
        // One client, 7 ms a request: 142 answers in the first second, 143 in each of the next two, and the one
        // started at 2,996 ms is answered in the drain at 3,003 ms.
        var workload = new WorkloadSettings { Model = WorkloadModel.Closed, Concurrency = 1, Duration = TimeSpan.FromSeconds(3), Warmup = TimeSpan.Zero };
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, _ => TimeSpan.FromMilliseconds(7));
        var progress = new List<ProgressSnapshot>();

        var measurement = await SteppedRuns.RunOneClientThroughRunnerAsync(
            clock,
            server,
            workload,
            snapshot =>
            {
                lock (progress)
                {
                    progress.Add(snapshot);
                }
            },
            alsoSettled: () =>
            {
                lock (progress)
                {
                    return progress.Count == (int)clock.Elapsed.TotalSeconds;
                }
            });

        Assert.Equal(429, measurement.Sent);
        Assert.Equal(TimeSpan.FromMilliseconds(2996), server.Arrivals[^1]);
        Assert.Equal(429, measurement.Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(3), measurement.Elapsed);
        Assert.Equal(143, measurement.Throughput);
        Assert.Equal(TimeSpan.FromMilliseconds(3003), clock.Elapsed);
        Assert.Equal([1.0, 2.0, 3.0], progress.Select(snapshot => snapshot.ElapsedSeconds));
        Assert.Equal([142.0, 143.0, 143.0], progress.Select(snapshot => snapshot.IntervalRate));
        Assert.All(progress, snapshot => Assert.Equal(7, snapshot.P50Ms, precision: 2));
        Assert.Equal([142L, 143L, 143L, 1L], measurement.Intervals.Select(interval => interval.Succeeded));
        Assert.Equal(3.003, measurement.Intervals[^1].ElapsedSeconds, precision: 9);
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
        var mean = gaps.Average();

        Assert.InRange(offsets.Count, 19_400, 20_600);
        Assert.InRange(mean, 0.97, 1.03);
        // Exponential gaps: the standard deviation equals the mean, unlike evenly spaced sends.
        var deviation = Math.Sqrt(gaps.Average(gap => Math.Pow(gap - mean, 2)));
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

    private static bool InStall(TimeSpan arrived) => arrived >= StallStart && arrived < StallEnd;

    private static TimeSpan AnswerAtOnceExceptDuringTheStall(TimeSpan arrived) => InStall(arrived) ? StallEnd - arrived : TimeSpan.Zero;

    private static List<TimeSpan> Offsets(WorkloadSettings workload) => [.. workload.CreateSchedule().Offsets(workload.Duration)];

    private static void AssertStallIsVisible(HistogramBase latency)
    {
        // The 40 requests scheduled inside the stall waited from 200 ms down to 5 ms, in 5 ms steps; the other 160
        // were answered the moment they were sent.
        AssertDistribution(latency, [(FloorMs, 160), .. Enumerable.Range(1, 40).Select(step => (step * 5.0, 1L))]);
        // Many requests show the stall, not one: 21 of them waited 100 ms or more.
        Assert.Equal(21, latency.RecordedValues().Where(value => value.ValueIteratedTo >= 100_000).Sum(value => value.CountAtValueIteratedTo));
    }

    /// <summary>The histogram holds exactly these latencies, each as often as given.</summary>
    private static void AssertDistribution(HistogramBase actual, params (double Ms, long Count)[] latencies)
    {
        var expected = LatencyHistograms.Create();
        foreach (var (ms, count) in latencies)
        {
            expected.RecordValueWithCount((long)Math.Round(ms * 1000), count);
        }

        Assert.Equal(Counts(expected), Counts(actual));
    }

    private static List<(long Microseconds, long Count)> Counts(HistogramBase histogram) =>
        [.. histogram.RecordedValues().Select(value => (value.ValueIteratedTo, value.CountAtValueIteratedTo))];
}
