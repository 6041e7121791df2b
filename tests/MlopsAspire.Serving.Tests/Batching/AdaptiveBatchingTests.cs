using MlopsAspire.Serving.Batching;

namespace MlopsAspire.Serving.Tests.Batching;

public sealed class AdaptiveBatchingTests
{
    private static readonly TimeSpan Microsecond = TimeSpan.FromMicroseconds(1);

    [Fact]
    public void The_fit_recovers_the_per_row_and_fixed_cost_of_a_run()
    {
        var model = new BatchLatencyModel();
        for (var round = 0; round < 3; round++)
        {
            foreach (var rows in new[] { 1, 4, 16, 64 })
            {
                model.Observe(rows, 10 * rows * Microsecond + 50 * Microsecond);
            }
        }

        Assert.Equal(10, model.PerRow.TotalMicroseconds, tolerance: 0.01);
        Assert.Equal(50, model.Fixed.TotalMicroseconds, tolerance: 0.1);
        Assert.Equal(370, model.Predict(32).TotalMicroseconds, tolerance: 0.5);
    }

    [Fact]
    public void The_fit_follows_a_change_in_speed()
    {
        var model = new BatchLatencyModel(forgetting: 0.9);
        for (var i = 0; i < 50; i++)
        {
            model.Observe(1 + i % 8, (1 + i % 8) * 10 * Microsecond);
        }

        for (var i = 0; i < 200; i++)
        {
            model.Observe(1 + i % 8, (1 + i % 8) * 40 * Microsecond);
        }

        Assert.Equal(40, model.PerRow.TotalMicroseconds, tolerance: 0.5);
    }

    [Fact]
    public void Runs_of_one_size_only_are_assumed_to_cost_per_row()
    {
        var model = new BatchLatencyModel();
        for (var i = 0; i < 5; i++)
        {
            model.Observe(4, 40 * Microsecond);
        }

        Assert.Equal(10, model.PerRow.TotalMicroseconds, tolerance: 0.01);
        Assert.Equal(TimeSpan.Zero, model.Fixed);
    }

    [Fact]
    public void Completion_is_predicted_from_the_queue_ahead_the_batch_size_and_the_instances()
    {
        var model = new BatchLatencyModel();
        model.Observe(1, 20 * Microsecond);
        model.Observe(10, 110 * Microsecond);

        // 100 rows ahead + 1: ten full batches go first, five on each of two idle instances, then a batch of 1.
        var twoIdle = model.PredictCompletion(100, 1, 10, [TimeSpan.Zero, TimeSpan.Zero], TimeSpan.Zero);
        Assert.Equal(5 * 110 + 20, twoIdle.TotalMicroseconds, tolerance: 0.01);

        // An empty queue but a busy single instance: wait for it, then the batching delay, then run.
        var busy = model.PredictCompletion(0, 2, 10, [TimeSpan.FromMicroseconds(70)], TimeSpan.FromMicroseconds(100));
        Assert.Equal(70 + 100 + 30, busy.TotalMicroseconds, tolerance: 0.01);
    }

    [Fact]
    public async Task Requests_predicted_to_miss_the_latency_objective_are_shed_on_arrival()
    {
        var model = OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 1));
        await using var scenario = new BatchingScenario(
            model,
            new BatchingOptions { MaxBatchSize = 4, LatencyObjective = TimeSpan.FromMilliseconds(1) });
        // t(n) = 0.1 ms · n + 0.2 ms.
        foreach (var rows in new[] { 1, 2, 4, 8 })
        {
            scenario.Batcher.LatencyModel.Observe(rows, TimeSpan.FromMilliseconds(0.1 * rows + 0.2));
        }

        // The running batch of 1 keeps the instance busy for 0.3 ms; four more fit in one batch of 4 after it (0.9 ms).
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var accepted = new List<Task<InferenceResponse>>();
        for (var i = 1; i <= 4; i++)
        {
            accepted.Add(scenario.InferAsync(Requests.Identity("id", [i])));
            await scenario.WaitUntilQueuedAsync(i);
        }

        // A fifth would wait for that batch too: 0.3 + 0.6 + 0.3 = 1.2 ms.
        var exception = await Assert.ThrowsAsync<InferenceException>(() => scenario.InferAsync(Requests.Identity("id", [5])));

        Assert.Equal(InferenceErrorKind.ResourceExhausted, exception.Kind);
        Assert.Equal("model 'id' version '1' would miss the latency objective of 1 ms; predicted 1.2 ms", exception.Message);
        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll([running, .. accepted]))
        {
            response.Dispose();
        }

        Assert.Equal([1L, 4L], scenario.Runner.BatchRows);
    }

    [Fact]
    public async Task Without_enough_observations_nothing_is_shed()
    {
        var model = OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 1));
        await using var scenario = new BatchingScenario(model, new BatchingOptions { MaxBatchSize = 4, LatencyObjective = TimeSpan.FromTicks(1) });

        using var response = await scenario.InferAsync(Requests.Identity("id", [1]));

        Assert.Equal([1f], response.Floats());
    }
}
