using MlopsAspire.LoadTest.Baselines;

namespace MlopsAspire.LoadTest.Tests;

public sealed class BestSetupChoiceTests
{
    [Fact]
    public void Candidates_split_the_cores_every_whole_way_and_also_try_twice_the_sessions()
    {
        var shapes = BestSetupChoice.Candidates(4, withBatching: false).Select(setup => setup.Describe());

        Assert.Equal(["4 × 1 threads", "8 × 1 threads", "2 × 2 threads", "4 × 2 threads", "1 × 4 threads", "2 × 4 threads"], shapes);
    }

    [Fact]
    public void Our_replica_tries_each_split_with_the_batcher_on_and_off()
    {
        var shapes = BestSetupChoice.Candidates(2, withBatching: true).Select(setup => setup.Describe());

        Assert.Equal(
            [
                "2 × 1 threads, batching on", "2 × 1 threads, batching off", "4 × 1 threads, batching on", "4 × 1 threads, batching off",
                "1 × 2 threads, batching on", "1 × 2 threads, batching off", "2 × 2 threads, batching on", "2 × 2 threads, batching off",
            ],
            shapes);
    }

    [Fact]
    public void The_highest_throughput_wins()
    {
        var results = new[] { Result(1, 1_000, 5), Result(2, 1_500, 9), Result(4, 1_200, 2) };

        Assert.Equal(2, BestSetupChoice.Pick(results).Setup.Share.Lanes);
    }

    [Fact]
    public void Within_two_percent_of_the_highest_the_lower_p99_wins_then_the_fewer_threads()
    {
        var tied = new[] { Result(1, 1_000, 5), Result(2, 990, 3), Result(4, 985, 3) };
        Assert.Equal(2, BestSetupChoice.Pick(tied).Setup.Share.Lanes);

        var outside = new[] { Result(1, 1_000, 5), Result(2, 970, 1) };
        Assert.Equal(1, BestSetupChoice.Pick(outside).Setup.Share.Lanes);
    }

    [Fact]
    public void A_setup_that_failed_requests_is_never_the_best_and_none_clean_is_an_error()
    {
        var results = new[] { Result(1, 1_000, 5, failed: 0), Result(2, 5_000, 1, failed: 3) };
        Assert.Equal(1, BestSetupChoice.Pick(results).Setup.Share.Lanes);

        var failure = Assert.Throws<InvalidOperationException>(() => BestSetupChoice.Pick([Result(2, 5_000, 1, failed: 3)]));
        Assert.Contains("2 × 1 threads: 3 failed", failure.Message, StringComparison.Ordinal);
    }

    private static TuningResult Result(int lanes, double throughput, double p99, long failed = 0) =>
        new(new ContenderSetup(CoreShare.Of(1, 1) with { Lanes = lanes }), throughput, p99, failed);
}
