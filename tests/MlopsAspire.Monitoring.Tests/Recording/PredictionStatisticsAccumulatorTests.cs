using System.Diagnostics;
using MlopsAspire.Monitoring.Histograms;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Monitoring.Recording;
using MlopsAspire.FraudData;
using Xunit.Abstractions;

namespace MlopsAspire.Monitoring.Tests.Recording;

public sealed class PredictionStatisticsAccumulatorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Drained_statistics_equal_an_offline_computation_on_the_same_rows(int stripes)
    {
        var workload = new StatisticsWorkload(liveRows: 20_000);
        var calls = workload.Calls(5_000);
        var accumulator = new PredictionStatisticsAccumulator(workload.Profile, Start, stripes);

        foreach (var call in calls)
        {
            call.Apply(accumulator, workload);
        }

        var snapshot = accumulator.Drain("replica-a", Start.AddSeconds(1));
        var expected = workload.Offline(calls, workload.Profile);

        StatisticsAssert.Equal(expected, snapshot.Statistics);
        // The workload really exercises every data-quality path and both shadow versions.
        Assert.True(expected.NonFiniteInputs > 0 && expected.OutOfRangeInputs > 0);
        Assert.True(expected.Predictions[0].NonFiniteCount > 0);
        Assert.Equal(StatisticsWorkload.ShadowVersions.Length, snapshot.Statistics.Shadows.Count);
        Assert.Equal(("replica-a", 1L, Start, Start.AddSeconds(1)), (snapshot.ReplicaId, snapshot.Sequence, snapshot.IntervalStart, snapshot.IntervalEnd));
    }

    [Fact]
    public void Without_a_reference_profile_counts_latency_batches_and_non_finite_inputs_are_still_kept()
    {
        var workload = new StatisticsWorkload(liveRows: 5_000);
        var calls = workload.Calls(2_000);
        var accumulator = new PredictionStatisticsAccumulator(profile: null, Start);

        foreach (var call in calls)
        {
            call.Apply(accumulator, workload);
        }

        var statistics = accumulator.Drain("replica-a", Start.AddSeconds(1)).Statistics;

        StatisticsAssert.Equal(workload.Offline(calls, profile: null), statistics);
        Assert.Empty(statistics.Features);
        Assert.Empty(statistics.Predictions);
        Assert.True(statistics.NonFiniteInputs > 0);
        Assert.Equal(0, statistics.OutOfRangeInputs);
    }

    [Fact]
    public void Each_drain_returns_only_what_was_recorded_since_the_previous_one()
    {
        var workload = new StatisticsWorkload(liveRows: 5_000);
        var accumulator = new PredictionStatisticsAccumulator(workload.Profile, Start);
        var first = workload.Calls(500);
        var second = workload.Calls(700);

        first.ForEach(call => call.Apply(accumulator, workload));
        var one = accumulator.Drain("replica-a", Start.AddSeconds(1));
        var empty = accumulator.Drain("replica-a", Start.AddSeconds(2));
        second.ForEach(call => call.Apply(accumulator, workload));
        var three = accumulator.Drain("replica-a", Start.AddSeconds(3));

        StatisticsAssert.Equal(workload.Offline(first, workload.Profile), one.Statistics);
        StatisticsAssert.Equal(new PredictionStatistics(workload.Profile), empty.Statistics);
        StatisticsAssert.Equal(workload.Offline(second, workload.Profile), three.Statistics);
        Assert.Equal([1L, 2L, 3L], new[] { one, empty, three }.Select(snapshot => snapshot.Sequence));
        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(2)], new[] { empty, three }.Select(snapshot => snapshot.IntervalStart));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Concurrent_writers_and_a_draining_thread_lose_and_double_count_nothing(int stripes)
    {
        const int Writers = 8;
        const int RequestsPerWriter = 25_000; // 200k requests in all
        var workload = new StatisticsWorkload(liveRows: 20_000);
        var calls = Enumerable.Range(0, Writers).Select(_ => workload.Calls(RequestsPerWriter, maxRows: 8)).ToArray();
        var accumulator = new PredictionStatisticsAccumulator(workload.Profile, Start, stripes);
        var snapshots = new List<StatisticsSnapshot>();
        var writersDone = 0;
        var drains = 0;

        var drainer = Task.Factory.StartNew(
            () =>
            {
                var now = Start;
                while (Volatile.Read(ref writersDone) < Writers)
                {
                    // Pacing only: the writers wait for drains, not for time, and the clock the drains report is the test's.
                    Thread.Sleep(2);
                    now = now.AddMilliseconds(2);
                    snapshots.Add(accumulator.Drain("replica-a", now));
                    Interlocked.Increment(ref drains);
                }

                snapshots.Add(accumulator.Drain("replica-a", now.AddMilliseconds(2)));
            },
            TaskCreationOptions.LongRunning);
        var writers = calls.Select(mine => Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < mine.Count; i++)
                {
                    // A third and two thirds of the way through, each writer waits for a drain to happen: drains
                    // overlap the writes however the threads are scheduled on a busy machine.
                    if (i == mine.Count / 3 || i == 2 * mine.Count / 3)
                    {
                        var seen = Volatile.Read(ref drains);
                        SpinWait.SpinUntil(() => Volatile.Read(ref drains) > seen);
                    }

                    mine[i].Apply(accumulator, workload);
                }

                Interlocked.Increment(ref writersDone);
            },
            TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll([.. writers, drainer]);

        var merged = new PredictionStatistics(workload.Profile);
        snapshots.ForEach(snapshot => merged.Merge(snapshot.Statistics));

        StatisticsAssert.Equal(workload.Offline(calls.SelectMany(mine => mine), workload.Profile), merged);
        Assert.Equal(Writers * RequestsPerWriter, merged.RequestCount);
        Assert.True(snapshots.Count > 2, $"only {snapshots.Count} drains happened");
        for (var i = 1; i < snapshots.Count; i++)
        {
            Assert.Equal(snapshots[i - 1].Sequence + 1, snapshots[i].Sequence);
            Assert.Equal(snapshots[i - 1].IntervalEnd, snapshots[i].IntervalStart);
        }

        output.WriteLine($"{snapshots.Count} drains while {Writers} writers recorded {Writers * RequestsPerWriter} requests; {snapshots.Count(snapshot => snapshot.Statistics.RequestCount > 0)} non-empty");
    }

    [Fact]
    public async Task A_drain_waits_for_a_writer_that_still_holds_the_old_interval()
    {
        var accumulator = new PredictionStatisticsAccumulator(profile: null, Start, stripes: 2);
        var held = accumulator.EnterWriter(out var stripe);

        var drain = Task.Run(() => accumulator.Drain("replica-a", Start.AddSeconds(1)));
        // The drain has swapped the counters but must not read them while this writer is inside. A negative check:
        // however long the drain had, it must still be waiting; a slow machine can only give it less time to go wrong.
        await Task.WhenAny(drain, Task.Delay(TimeSpan.FromMilliseconds(200)));
        Assert.False(drain.IsCompleted);
        Interlocked.Increment(ref held.Stripe(stripe)[CounterLayout.RequestCount]);
        PredictionStatisticsAccumulator.ExitWriter(held.Stripe(stripe));
        var snapshot = await drain.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, snapshot.Statistics.RequestCount);
        accumulator.RecordFailure("UNAVAILABLE", TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, accumulator.Drain("replica-a", Start.AddSeconds(2)).Statistics.RequestCount);
    }

    [Fact]
    public void Bins_match_the_double_histogram_for_values_on_and_next_to_edges_that_are_not_floats()
    {
        // Edges and a range that floats cannot represent exactly: the float bins must still agree everywhere.
        var profile = new ReferenceProfile(
            [new FeatureProfile("x", [-0.3, 1e-40, 0.1, 0.7, 2.5], [0, 0, 0, 0, 0, 0], 0, 1, -0.29999999999, 2.50000000001)],
            [],
            RowCount: 0);
        var probes = new List<float> { 0, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-40f };
        foreach (var edge in profile.Features[0].Edges.Append(profile.Features[0].Minimum).Append(profile.Features[0].Maximum))
        {
            var near = (float)edge;
            probes.AddRange([near, MathF.BitIncrement(near), MathF.BitDecrement(near), MathF.BitIncrement(MathF.BitIncrement(near))]);
        }

        var accumulator = new PredictionStatisticsAccumulator(profile, Start);
        accumulator.RecordSuccess(probes.ToArray(), 1, default, probes.Count, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        foreach (var probe in probes)
        {
            accumulator.RecordSuccess([probe], 1, default, 1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        }

        var statistics = accumulator.Drain("replica-a", Start.AddSeconds(1)).Statistics;

        var expected = profile.Features[0].CreateHistogram();
        probes.ForEach(probe => expected.Add(probe));
        Assert.Equal(expected.Counts.Select(count => count * 2), statistics.Features[0].Counts);
        Assert.Equal(2 * probes.Count(probe => profile.Features[0].IsOutOfRange(probe)), statistics.OutOfRangeInputs);
    }

    [Fact]
    public void Statuses_beyond_the_tracked_ones_are_counted_as_other()
    {
        var accumulator = new PredictionStatisticsAccumulator(profile: null, Start, statusCapacity: 2);

        foreach (var status in new[] { "INVALID_ARGUMENT", "UNAVAILABLE", "INTERNAL", "INVALID_ARGUMENT", "CANCELLED" })
        {
            accumulator.RecordFailure(status, TimeSpan.FromMilliseconds(1));
        }

        var statistics = accumulator.Drain("replica-a", Start.AddSeconds(1)).Statistics;

        Assert.Equal(5, statistics.RequestCount);
        Assert.Equal(
            new Dictionary<string, long> { ["INVALID_ARGUMENT"] = 2, ["UNAVAILABLE"] = 1, [PredictionStatisticsAccumulator.OtherStatus] = 2 },
            statistics.ErrorsByStatus);
    }

    [Fact]
    public void Rows_that_do_not_fit_the_profile_are_refused()
    {
        var workload = new StatisticsWorkload(liveRows: 10);
        var accumulator = new PredictionStatisticsAccumulator(workload.Profile, Start);

        Assert.Throws<ArgumentException>(() => accumulator.RecordSuccess(new float[10], 5, default, 2, default, default, default));
        Assert.Throws<ArgumentException>(() => accumulator.RecordSuccess(new float[12], 12, new float[2], 1, default, default, default));
        Assert.Throws<ArgumentException>(() => accumulator.RecordSuccess(new float[11], 12, default, 1, default, default, default));
        Assert.Equal(0, accumulator.Drain("replica-a", Start).Statistics.RequestCount);
    }

    [Fact]
    public void Per_request_cost_on_fraud_rows()
    {
        // A quick measurement written to the test output; nothing is asserted about time.
        var workload = new StatisticsWorkload(liveRows: 4_096);
        var accumulator = new PredictionStatisticsAccumulator(workload.Profile, Start);
        var queue = TimeSpan.FromMicroseconds(120);
        var compute = TimeSpan.FromMicroseconds(300);
        var total = TimeSpan.FromMicroseconds(450);
        foreach (var rows in new[] { 1, 8, 64 })
        {
            var requests = 200_000 / rows;
            var stopwatch = new Stopwatch();
            for (var pass = 0; pass < 2; pass++)
            {
                stopwatch.Restart();
                for (var i = 0; i < requests; i++)
                {
                    var first = (i * rows) % (workload.RowCount - rows);
                    accumulator.RecordSuccess(
                        workload.Inputs.AsSpan(first * FraudFeatures.Count, rows * FraudFeatures.Count),
                        FraudFeatures.Count,
                        workload.Scores.AsSpan(first, rows),
                        rows,
                        queue,
                        compute,
                        total);
                }

                stopwatch.Stop();
            }

            var nanoseconds = stopwatch.Elapsed.TotalNanoseconds / requests;
            output.WriteLine($"{rows,3} rows/request: {nanoseconds,8:F0} ns per request, {nanoseconds / rows,6:F1} ns per row");
        }

        Assert.Equal(2 * ((200_000 / 1) + (200_000 / 8) + (200_000 / 64)), accumulator.Drain("replica-a", Start).Statistics.RequestCount);
        Assert.Equal(LatencyHistogram.BucketOf(450), LatencyHistogram.BucketOf(total.TotalMicroseconds));
    }
}
