using MlopsAspire.Cli.Tests;
using MlopsAspire.LoadTest.Baselines;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Scheduling;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>Warm-up ends when throughput stops changing, and every baseline contender gets the same cores.</summary>
public sealed class SteadyWarmupTests
{
    [Fact]
    public void A_rising_throughput_is_not_steady_until_three_slices_agree()
    {
        // The shape a gRPC echo showed: its rate tripled over its first seconds while the JIT tiered up.
        var rule = new SteadyStateRule(window: 3, tolerance: 0.05);

        Assert.False(rule.Add(16_000));
        Assert.False(rule.Add(31_000));
        Assert.False(rule.Add(42_000));
        Assert.False(rule.Add(48_000));
        Assert.False(rule.Add(47_500));
        Assert.True(rule.Add(48_400));
        Assert.Equal([16_000, 31_000, 42_000, 48_000, 47_500, 48_400], rule.Rates);
    }

    [Theory]
    [InlineData(100, 100, 100, true)]
    [InlineData(95.5, 100, 104.5, true)]
    [InlineData(94, 100, 106, false)]
    [InlineData(100, 100, 120, false)]
    [InlineData(0, 0, 0, false)]
    public void Three_slices_are_steady_when_each_lies_within_the_tolerance_of_their_mean(double first, double second, double third, bool steady)
    {
        var rule = new SteadyStateRule(window: 3, tolerance: 0.05);

        rule.Add(first);
        rule.Add(second);

        Assert.Equal(steady, rule.Add(third));
    }

    [Fact]
    public void Only_the_latest_slices_count_so_a_late_drop_ends_steadiness()
    {
        var rule = new SteadyStateRule(window: 3, tolerance: 0.05);
        foreach (var rate in new double[] { 100, 101, 99 })
        {
            rule.Add(rate);
        }

        Assert.True(rule.IsSteady);
        Assert.False(rule.Add(60));
    }

    [Fact]
    public void Flat_throughput_while_the_jit_is_still_busy_is_a_plateau_not_a_steady_rate()
    {
        var rule = new SteadyStateRule(window: 3, tolerance: 0.05);

        // Three slices within 5 %, but the JIT spent a third of a core compiling in each: tier 1 is yet to come.
        Assert.False(rule.Add(10_000, compilingShare: 0.30));
        Assert.False(rule.Add(10_100, compilingShare: 0.35));
        Assert.False(rule.Add(10_050, compilingShare: 0.25));
        // Then tier 1 takes over: faster, and the JIT goes quiet (a little compiling stays below the limit).
        Assert.False(rule.Add(24_000, compilingShare: 0.10));
        Assert.False(rule.Add(25_000, compilingShare: 0.01));
        Assert.False(rule.Add(24_600, compilingShare: 0.04));
        Assert.True(rule.Add(24_800, compilingShare: 0.0));
        Assert.Equal([0.30, 0.35, 0.25, 0.10, 0.01, 0.04, 0.0], rule.CompilingShares);
    }

    [Fact]
    public async Task The_runner_waits_out_a_tiering_plateau_by_the_jit_clock_and_measures_the_warm_rate()
    {
        // 100/s for four seconds while the JIT compiles 300 ms per second, then 200/s with the JIT quiet.
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, arrived => TimeSpan.FromMilliseconds(arrived < TimeSpan.FromSeconds(4) ? 10 : 5));
        TimeSpan Compiled() => TimeSpan.FromSeconds(0.3 * Math.Min(clock.Elapsed.TotalSeconds, 4));

        var measurement = await SteppedRuns.RunOneClientThroughRunnerAsync(clock, server, OneClient(warmup: 2, maxWarmup: 10), compilingTime: Compiled);

        AssertWarmup(measurement.Warmup, seconds: 7, steady: true, 100, 100, 100, 100, 200, 200, 200);
        Assert.Equal([0.3, 0.3, 0.3, 0.3, 0, 0, 0], measurement.Warmup.CompilingShares!.Select(share => Math.Round(share, 6)));
        Assert.Equal(200, measurement.Throughput);
    }

    [Fact]
    public void A_warm_up_says_how_long_it_took_and_whether_it_settled()
    {
        Assert.Equal("no warm-up", WarmupOutcome.None.Describe());
        Assert.Equal(
            "warmed 4 s until steady (slices 1,200 → 2,950 → 3,000 → 3,010/s)",
            new WarmupOutcome(TimeSpan.FromSeconds(4), true, [1200, 2950, 3000, 3010]).Describe());
        Assert.Equal(
            "warmed 3 s until steady (slices 2,950 → 3,000 → 3,010/s; JIT 41 → 0.5 → 0 % of a core)",
            new WarmupOutcome(TimeSpan.FromSeconds(3), true, [2950, 3000, 3010], [0.41, 0.005, 0]).Describe());
        Assert.Equal(
            "warmed 3 s without reaching steady throughput (slices 10 → 20 → 30/s)",
            new WarmupOutcome(TimeSpan.FromSeconds(3), false, [10, 20, 30]).Describe());
        Assert.Equal(
            "warmed 0.5 s (a re-warm, too short to judge steadiness) (slices 84/s)",
            new WarmupOutcome(TimeSpan.FromSeconds(0.5), false, [84]).Describe());
    }

    [Fact]
    public async Task Warm_up_goes_on_in_one_second_slices_until_three_agree_and_then_the_run_is_measured()
    {
        // A server that doubles its speed after two seconds, as a JIT tiering up: 100/s, then 200/s.
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, arrived => TimeSpan.FromMilliseconds(arrived < TimeSpan.FromSeconds(2) ? 10 : 5));

        var measurement = await SteppedRuns.RunOneClientThroughRunnerAsync(clock, server, OneClient(warmup: 2, maxWarmup: 10));

        AssertWarmup(measurement.Warmup, seconds: 5, steady: true, 100, 100, 200, 200, 200);
        Assert.Equal(200, measurement.Succeeded);
        Assert.Equal(200, measurement.Throughput);
        Assert.Equal(TimeSpan.FromSeconds(6), clock.Elapsed);
        Assert.Equal(1000, server.Calls);
    }

    [Fact]
    public async Task Warm_up_lasts_at_least_the_warm_up_time_even_when_steady_sooner()
    {
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, _ => TimeSpan.FromMilliseconds(10));

        var measurement = await SteppedRuns.RunOneClientThroughRunnerAsync(clock, server, OneClient(warmup: 4, maxWarmup: 10));

        AssertWarmup(measurement.Warmup, seconds: 4, steady: true, 100, 100, 100, 100);
        Assert.Equal(TimeSpan.FromSeconds(5), clock.Elapsed);
    }

    [Fact]
    public async Task Warm_up_stops_at_its_maximum_when_throughput_never_settles()
    {
        // Faster every second: 50/s, 100/s, 200/s, 250/s.
        var clock = new SteppedClock();
        var server = new ClockedServer(clock, arrived => TimeSpan.FromMilliseconds(arrived.TotalSeconds switch
        {
            < 1 => 20,
            < 2 => 10,
            < 3 => 5,
            _ => 4,
        }));

        var measurement = await SteppedRuns.RunOneClientThroughRunnerAsync(clock, server, OneClient(warmup: 2, maxWarmup: 4));

        AssertWarmup(measurement.Warmup, seconds: 4, steady: false, 50, 100, 200, 250);
        Assert.Equal(250, measurement.Throughput);
        Assert.Equal(TimeSpan.FromSeconds(5), clock.Elapsed);
    }

    [Theory]
    [InlineData(2, 1, 2)]
    [InlineData(4, 2, 2)]
    [InlineData(16, 4, 4)]
    public void Every_contender_runs_cores_divided_by_intra_op_threads_sessions_at_once(int cores, int intraOp, int lanes)
    {
        var share = CoreShare.Of(cores, intraOp);

        Assert.Equal(lanes, share.Lanes);
        Assert.Equal(cores, share.Lanes * share.IntraOpThreads);
    }

    [Fact]
    public void Baselines_take_every_core_and_warm_until_steady_by_default()
    {
        var options = LoadTestArguments.Parse(["baselines", "--model", "resnet18"]);

        Assert.Equal(Environment.ProcessorCount, options.Cores);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxWarmup);
        Assert.Equal(0.05, options.SteadyTolerance);
        var parsed = LoadTestArguments.Parse(["baselines", "--cores", "4", "--intra-op-threads", "2", "--max-warmup", "10s", "--steady-within", "0.1"]);
        Assert.Equal((4, 2, 2), (parsed.Cores, parsed.IntraOpThreads, CoreShare.Of(parsed.Cores, parsed.IntraOpThreads).Lanes));
        Assert.Equal((TimeSpan.FromSeconds(10), 0.1), (parsed.MaxWarmup, parsed.SteadyTolerance));
    }

    private static WorkloadSettings OneClient(double warmup, double maxWarmup) => new()
    {
        Model = WorkloadModel.Closed,
        Concurrency = 1,
        Duration = TimeSpan.FromSeconds(1),
        Warmup = TimeSpan.FromSeconds(warmup),
        MaxWarmup = TimeSpan.FromSeconds(maxWarmup),
    };

    private static void AssertWarmup(WarmupOutcome warmup, double seconds, bool steady, params double[] sliceRates)
    {
        Assert.Equal((TimeSpan.FromSeconds(seconds), steady), (warmup.Time, warmup.Steady));
        Assert.Equal(sliceRates, warmup.SliceRates);
    }
}
