using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>How many rows the server ran per model run during a measurement, from two ModelStatistics readings.</summary>
public sealed class ServerBatchingTests
{
    [Fact]
    public void The_counts_of_a_run_are_the_difference_of_the_readings_around_it()
    {
        var during = ServerBatching.Between(new ServerBatching(1_000, 900), new ServerBatching(20_870, 2_104));

        Assert.Equal(new ServerBatching(19_870, 1_204), during);
        Assert.Equal(16.5, during!.RowsPerRun, precision: 1);
        Assert.Equal("1,204 model runs for 19,870 rows (16.5 rows per run)", during.Describe());
    }

    [Fact]
    public void A_missing_reading_or_counters_that_went_back_say_nothing_rather_than_something_wrong()
    {
        Assert.Null(ServerBatching.Between(null, new ServerBatching(10, 10)));
        Assert.Null(ServerBatching.Between(new ServerBatching(10, 10), null));
        // The server restarted between the readings: its counters began again.
        Assert.Null(ServerBatching.Between(new ServerBatching(5_000, 4_000), new ServerBatching(300, 250)));
    }

    [Fact]
    public void Repeats_add_up_and_a_server_that_ran_nothing_has_no_rows_per_run()
    {
        Assert.Equal(new ServerBatching(30, 12), ServerBatching.Sum([new ServerBatching(10, 4), null, new ServerBatching(20, 8)]));
        Assert.Null(ServerBatching.Sum([null, null]));
        Assert.Equal(0, new ServerBatching(0, 0).RowsPerRun);
    }
}
