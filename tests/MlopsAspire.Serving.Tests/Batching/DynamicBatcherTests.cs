using System.Runtime.InteropServices;
using MlopsAspire.Serving.Batching;
using MlopsAspire.FraudData;

namespace MlopsAspire.Serving.Tests.Batching;

public sealed class DynamicBatcherTests
{
    private static readonly BatchingOptions Greedy = new() { MaxBatchSize = 64 };

    private static OnnxModel IdentityModel(string name = "id", int width = 1) =>
        OnnxModel.Load(name, "1", TestModels.Identity(TensorDatatype.Fp32, -1, width), new OnnxModelOptions { IntraOpThreads = 1 });

    [Fact]
    public async Task Greedy_batching_runs_requests_queued_together_in_one_run_with_the_same_outputs_as_alone()
    {
        await using var scenario = new BatchingScenario(TestModels.LoadFraud(), Greedy);
        var first = await scenario.OccupyAsync(Requests.Fraud(Requests.FraudRows(1, seed: 100)));
        var rows = Enumerable.Range(0, 10).Select(i => Requests.FraudRows(1, seed: i)).ToList();
        var queued = rows.Select(row => scenario.InferAsync(Requests.Fraud(row))).ToList();
        await scenario.WaitUntilQueuedAsync(10);

        scenario.Runner.Open();
        using var firstResponse = await first;
        var responses = await Task.WhenAll(queued);

        Assert.Equal(2, scenario.Runner.Runs);
        Assert.Equal([1L, 10L], scenario.Runner.BatchRows);
        for (var i = 0; i < rows.Count; i++)
        {
            using var response = responses[i];
            var expected = TestModels.Fraud.PredictProbability(rows[i]);
            var output = Assert.Single(response.Outputs);
            Assert.Equal([1L, 1L], output.Shape);
            Assert.InRange(Math.Abs(output.GetValues<float>()[0] - expected), 0, 1e-5);
        }
    }

    [Fact]
    public async Task Requests_whose_tensors_are_over_the_pooled_size_are_batched_and_answered_unchanged()
    {
        // Each row is 1.2 MB of FP32: the batch's inputs and each request's rows of its outputs are buffers of their own.
        const int width = 300_000;
        await using var scenario = new BatchingScenario(IdentityModel(width: width), Greedy);
        var first = await scenario.OccupyAsync(Requests.Identity("id", Row(width, 0), width));
        var rows = Enumerable.Range(1, 3).Select(seed => Row(width, seed)).ToList();
        var queued = rows.Select(row => scenario.InferAsync(Requests.Identity("id", row, width))).ToList();
        await scenario.WaitUntilQueuedAsync(3);

        scenario.Runner.Open();
        (await first).Dispose();
        var responses = await Task.WhenAll(queued);

        Assert.Equal([1L, 3L], scenario.Runner.BatchRows);
        for (var i = 0; i < rows.Count; i++)
        {
            using var response = responses[i];
            Assert.Equal(rows[i], response.Floats());
        }
    }

    private static float[] Row(int width, int seed) => [.. Enumerable.Range(0, width).Select(i => (float)(seed * width + i))];

    [Fact]
    public async Task A_request_that_finds_the_batcher_idle_runs_at_once_on_its_callers_thread()
    {
        await using var scenario = new BatchingScenario(TestModels.LoadFraud(), Greedy);
        var row = Requests.FraudRows(1, seed: 3);

        var pending = scenario.Engine.InferAsync(Requests.Fraud(row));

        Assert.True(pending.IsCompletedSuccessfully, "an idle greedy batcher should not hand the request to a worker");
        using var response = await pending;
        Assert.Equal(1, scenario.Runner.Runs);
        Assert.InRange(Math.Abs(response.Outputs[0].GetValues<float>()[0] - TestModels.Fraud.PredictProbability(row)), 0, 1e-5);
        Assert.Equal(0, response.Timings.QueueTicks);
    }

    [Fact]
    public async Task With_a_queue_delay_nothing_runs_until_the_delay_passes_then_the_queue_runs_as_one_batch()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(100) });
        var pending = Enumerable.Range(1, 3).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();
        await scenario.WaitUntilQueuedAsync(3);
        await Eventually.SettleAsync();
        scenario.Time.Advance(TimeSpan.FromMilliseconds(99));
        await Eventually.SettleAsync();
        Assert.Equal(0, scenario.Runner.Runs);

        scenario.Time.Advance(TimeSpan.FromMilliseconds(1));
        var responses = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([3L], scenario.Runner.BatchRows);
        Assert.Equal([[1f], [2f], [3f]], responses.Select(response => response.Floats()));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_full_batch_runs_without_waiting_for_the_delay()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromSeconds(10) });
        var pending = Enumerable.Range(1, 4).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();

        var responses = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([4L], scenario.Runner.BatchRows);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_preferred_batch_size_runs_as_soon_as_it_is_queued_and_smaller_batches_wait_for_the_delay()
    {
        await using var scenario = new BatchingScenario(
            IdentityModel(),
            new BatchingOptions { MaxBatchSize = 8, PreferredBatchSizes = [4], MaxQueueDelay = TimeSpan.FromSeconds(1) });

        var firstThree = Enumerable.Range(1, 3).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();
        await scenario.WaitUntilQueuedAsync(3);
        await Eventually.SettleAsync();
        Assert.Equal(0, scenario.Runner.Runs);

        var fourth = scenario.InferAsync(Requests.Identity("id", [4]));
        var preferred = await Task.WhenAll([.. firstThree, fourth]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([4L], scenario.Runner.BatchRows);

        var lateTwo = Enumerable.Range(5, 2).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();
        await scenario.WaitUntilQueuedAsync(2);
        await Eventually.SettleAsync();
        Assert.Equal(1, scenario.Runner.Runs);
        scenario.Time.Advance(TimeSpan.FromSeconds(1));
        var rest = await Task.WhenAll(lateTwo).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([4L, 2L], scenario.Runner.BatchRows);
        foreach (var response in preferred.Concat(rest))
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_full_queue_rejects_with_resource_exhausted_naming_the_limit()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1, MaxQueueSize = 2 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var queued = Enumerable.Range(1, 2).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();
        await scenario.WaitUntilQueuedAsync(2);

        var exception = await Assert.ThrowsAsync<InferenceException>(() => scenario.InferAsync(Requests.Identity("id", [3])));

        Assert.Equal(InferenceErrorKind.ResourceExhausted, exception.Kind);
        Assert.Contains("max_queue_size 2", exception.Message);
        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll([running, .. queued]))
        {
            response.Dispose();
        }

        Assert.Equal(3, scenario.Runner.Runs);
    }

    [Fact]
    public async Task A_queue_at_its_byte_bound_rejects_with_resource_exhausted_naming_the_bound_and_takes_requests_again_once_drained()
    {
        // Each request is one FP32 value: two of them fill 8 bytes, however many requests the queue could count.
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1, MaxQueueSize = 100, MaxQueueBytes = 8 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var queued = Enumerable.Range(1, 2).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();
        await scenario.WaitUntilQueuedAsync(2);
        Assert.Equal(8, scenario.Batcher.QueuedBytes);

        var exception = await Assert.ThrowsAsync<InferenceException>(() => scenario.InferAsync(Requests.Identity("id", [3])));

        Assert.Equal(InferenceErrorKind.ResourceExhausted, exception.Kind);
        Assert.Equal(
            "the queue of model 'id' version '1' is full: it holds 8 bytes of inputs and this request's 4 bytes would pass max_queue_bytes (8 bytes); back off and retry",
            exception.Message);
        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll([running, .. queued]))
        {
            response.Dispose();
        }

        Assert.Equal(0, scenario.Batcher.QueuedBytes);
        await scenario.Runner.WaitForRunsToStartAsync(2);
        var again = await scenario.OccupyAsync(Requests.Identity("id", [4]));
        var accepted = scenario.InferAsync(Requests.Identity("id", [5]));
        await scenario.WaitUntilQueuedAsync(1);
        scenario.Runner.Open();
        (await again).Dispose();
        (await accepted).Dispose();
    }

    [Fact]
    public async Task The_queues_of_several_models_share_one_byte_budget()
    {
        var budget = new QueueByteBudget(limit: 8);
        await using var first = new BatchingScenario(IdentityModel("first"), new BatchingOptions { MaxBatchSize = 1 }, budget);
        await using var second = new BatchingScenario(IdentityModel("second"), new BatchingOptions { MaxBatchSize = 1 }, budget);
        var firstRunning = await first.OccupyAsync(Requests.Identity("first", [0]));
        var firstQueued = Enumerable.Range(1, 2).Select(i => first.InferAsync(Requests.Identity("first", [i]))).ToList();
        await first.WaitUntilQueuedAsync(2);
        var secondRunning = await second.OccupyAsync(Requests.Identity("second", [0]));

        // The second model's own queue is empty, but together the queues hold the budget.
        var exception = await Assert.ThrowsAsync<InferenceException>(() => second.InferAsync(Requests.Identity("second", [1])));

        Assert.Equal(InferenceErrorKind.ResourceExhausted, exception.Kind);
        Assert.StartsWith("this server's queues are full: together they hold 8 bytes of inputs and this request's 4 bytes to model 'second' version '1' would pass their budget (8 bytes)", exception.Message);
        Assert.Equal((8L, 1L), budget.TakePressure());
        first.Runner.Open();
        foreach (var response in await Task.WhenAll([firstRunning, .. firstQueued]))
        {
            response.Dispose();
        }

        Assert.Equal(0, budget.Used);
        var secondQueued = second.InferAsync(Requests.Identity("second", [2]));
        await second.WaitUntilQueuedAsync(1);
        Assert.Equal(4, budget.Used);
        second.Runner.Open();
        (await secondRunning).Dispose();
        (await secondQueued).Dispose();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task A_request_whose_timeout_passes_while_queued_fails_with_deadline_exceeded_and_is_never_run()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 4 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var timingOut = scenario.InferAsync(Requests.Identity("id", [1], timeout: TimeSpan.FromMilliseconds(5)));
        var patient = scenario.InferAsync(Requests.Identity("id", [2]));
        await scenario.WaitUntilQueuedAsync(2);

        scenario.Time.Advance(TimeSpan.FromMilliseconds(5));
        var exception = await Assert.ThrowsAsync<InferenceException>(() => timingOut.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, exception.Kind);
        Assert.Contains("timeout of 5 ms", exception.Message);

        scenario.Runner.Open();
        (await running).Dispose();
        using var response = await patient;
        Assert.Equal([2f], response.Floats());
        Assert.Equal([1L, 1L], scenario.Runner.BatchRows);
        Assert.DoesNotContain(1f, scenario.Runner.FirstValues);
    }

    [Fact]
    public async Task The_model_default_timeout_applies_to_requests_without_one()
    {
        await using var scenario = new BatchingScenario(
            IdentityModel(),
            new BatchingOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromSeconds(1), DefaultTimeout = TimeSpan.FromMilliseconds(30) });
        var pending = scenario.InferAsync(Requests.Identity("id", [1]));
        await scenario.WaitUntilQueuedAsync(1);

        scenario.Time.Advance(TimeSpan.FromMilliseconds(30));

        var exception = await Assert.ThrowsAsync<InferenceException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, exception.Kind);
        Assert.Equal("request to model 'id' version '1' passed its timeout of 30 ms after waiting 30 ms; it was not computed", exception.Message);
        Assert.Equal(0, scenario.Runner.Runs);
    }

    [Fact]
    public async Task A_request_past_its_deadline_is_dropped_before_compute()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromSeconds(1) });
        var deadline = scenario.Time.GetUtcNow() + TimeSpan.FromMilliseconds(20);
        var pending = scenario.InferAsync(Requests.Identity("id", [1], deadline: deadline));
        await scenario.WaitUntilQueuedAsync(1);

        scenario.Time.Advance(TimeSpan.FromMilliseconds(20));

        var exception = await Assert.ThrowsAsync<InferenceException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, exception.Kind);
        Assert.Contains("deadline", exception.Message);
        Assert.Equal(0, scenario.Batcher.QueuedRequests);
        Assert.Equal(0, scenario.Runner.Runs);
    }

    [Fact]
    public async Task A_request_already_past_its_deadline_is_rejected_at_once()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), Greedy);

        var exception = await Assert.ThrowsAsync<InferenceException>(() =>
            scenario.InferAsync(Requests.Identity("id", [1], deadline: scenario.Time.GetUtcNow() - TimeSpan.FromSeconds(1))));

        Assert.Equal(InferenceErrorKind.DeadlineExceeded, exception.Kind);
        Assert.Equal(0, scenario.Runner.Runs);
    }

    [Fact]
    public async Task Cancelling_a_queued_request_fails_it_with_cancelled_and_it_is_never_run()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        using var cancellation = new CancellationTokenSource();
        var cancelled = scenario.InferAsync(Requests.Identity("id", [1]), cancellation.Token);
        await scenario.WaitUntilQueuedAsync(1);

        await cancellation.CancelAsync();

        var exception = await Assert.ThrowsAsync<InferenceException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(InferenceErrorKind.Cancelled, exception.Kind);
        Assert.Equal(0, scenario.Batcher.QueuedRequests);
        scenario.Runner.Open();
        (await running).Dispose();
        // Once drained, whatever the batcher was going to run has run.
        await scenario.Batcher.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, scenario.Runner.Runs);
    }

    [Fact]
    public async Task A_token_that_fires_after_the_deadline_reports_the_missed_deadline()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        using var callToken = new CancellationTokenSource();
        // The transport cancels the call's token at the deadline; the engine sees both.
        var request = Requests.Identity("id", [1], deadline: scenario.Time.GetUtcNow() + TimeSpan.FromSeconds(30));
        var pending = scenario.InferAsync(request, callToken.Token);
        await scenario.WaitUntilQueuedAsync(1);

        scenario.Time.SetUtcNow(request.Deadline!.Value);
        await callToken.CancelAsync();

        var exception = await Assert.ThrowsAsync<InferenceException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, exception.Kind);
        scenario.Runner.Open();
        (await running).Dispose();
    }

    [Fact]
    public async Task Higher_priority_requests_run_first()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1, PriorityLevels = 3, DefaultPriorityLevel = 2 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var low = scenario.InferAsync(Requests.Identity("id", [30], priority: 3));
        var normal = scenario.InferAsync(Requests.Identity("id", [20]));
        var high = scenario.InferAsync(Requests.Identity("id", [10], priority: 1));
        await scenario.WaitUntilQueuedAsync(3);

        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll(running, low, normal, high))
        {
            response.Dispose();
        }

        Assert.Equal([0f, 10f, 20f, 30f], scenario.Runner.FirstValues);
    }

    [Fact]
    public async Task A_priority_outside_the_levels_takes_the_default_level()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1, PriorityLevels = 2, DefaultPriorityLevel = 2 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var unknownLevel = scenario.InferAsync(Requests.Identity("id", [20], priority: 7));
        var high = scenario.InferAsync(Requests.Identity("id", [10], priority: 1));
        await scenario.WaitUntilQueuedAsync(2);

        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll(running, unknownLevel, high))
        {
            response.Dispose();
        }

        Assert.Equal([0f, 10f, 20f], scenario.Runner.FirstValues);
    }

    [Fact]
    public async Task Requests_of_several_rows_are_concatenated_and_each_gets_its_own_rows_back()
    {
        await using var scenario = new BatchingScenario(IdentityModel(width: 3), new BatchingOptions { MaxBatchSize = 8 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0, 0, 0], width: 3));
        float[][] inputs =
        [
            [1, 2, 3, 4, 5, 6],
            [7, 8, 9],
            [10, 11, 12, 13, 14, 15, 16, 17, 18],
            // Does not fit in the 8 rows left with the others: heads the next batch.
            [.. Enumerable.Range(100, 3 * 4).Select(i => (float)i)],
        ];
        var pending = inputs.Select(values => scenario.InferAsync(Requests.Identity("id", values, width: 3))).ToList();
        await scenario.WaitUntilQueuedAsync(4);

        scenario.Runner.Open();
        (await running).Dispose();
        var responses = await Task.WhenAll(pending);

        Assert.Equal([1L, 6L, 4L], scenario.Runner.BatchRows);
        for (var i = 0; i < inputs.Length; i++)
        {
            using var response = responses[i];
            Assert.Equal([inputs[i].Length / 3, 3L], response.Outputs[0].Shape);
            Assert.Equal(inputs[i], response.Floats());
        }
    }

    [Fact]
    public async Task Requests_merged_into_one_batch_each_report_the_merged_batch_size_and_their_own_rows()
    {
        await using var scenario = new BatchingScenario(IdentityModel(width: 2), new BatchingOptions { MaxBatchSize = 8 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0, 0], width: 2));
        var merged = new[] { 2, 3 }.Select(rows => scenario.InferAsync(Requests.Identity("id", new float[rows * 2], width: 2))).ToList();
        await scenario.WaitUntilQueuedAsync(2);

        scenario.Runner.Open();
        using var alone = await running;
        var responses = await Task.WhenAll(merged);

        Assert.Equal([1L, 5L], scenario.Runner.BatchRows);
        Assert.Equal((1, 1), (alone.Timings.RequestRows, alone.Timings.BatchRows));
        Assert.Equal([(2, 5), (3, 5)], responses.Select(response => (response.Timings.RequestRows, response.Timings.BatchRows)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Batched_requests_asking_for_different_outputs_each_get_theirs()
    {
        await using var scenario = new BatchingScenario(TestModels.LoadFraud(), Greedy);
        var running = await scenario.OccupyAsync(Requests.Fraud(Requests.FraudRows(1, seed: 1)));
        var rows = Requests.FraudRows(2, seed: 2);
        var probability = scenario.InferAsync(Requests.Fraud(rows, outputs: ["Probability.output"]));
        var scoreAndLabel = scenario.InferAsync(Requests.Fraud(rows, outputs: ["PredictedLabel.output", "Score.output"]));
        await scenario.WaitUntilQueuedAsync(2);

        scenario.Runner.Open();
        (await running).Dispose();
        using var first = await probability;
        using var second = await scoreAndLabel;

        Assert.Equal([1L, 4L], scenario.Runner.BatchRows);
        Assert.Equal(["Probability.output"], first.Outputs.Select(output => output.Name));
        Assert.Equal(["PredictedLabel.output", "Score.output"], second.Outputs.Select(output => output.Name));
        Assert.Equal(TensorDatatype.Bool, second.Outputs[0].Datatype);
        Assert.Equal([2L, 1L], second.Outputs[1].Shape);
        var probabilities = first.Floats();
        for (var row = 0; row < 2; row++)
        {
            var features = rows.AsSpan(row * FraudFeatures.Count, FraudFeatures.Count).ToArray();
            Assert.InRange(Math.Abs(probabilities[row] - TestModels.Fraud.PredictProbability(features)), 0, 1e-5);
        }
    }

    [Fact]
    public async Task Raw_and_typed_requests_batch_together_and_their_split_outputs_read_and_encode_like_a_request_run_alone()
    {
        string[] everyOutput = ["Features.output", "PredictedLabel.output", "Score.output", "Probability.output"];
        var rows = Requests.FraudRows(3, seed: 9);
        var raw = new InferenceRequest
        {
            ModelName = "fraud",
            Inputs = [new InferenceInput("Features", "FP32", [3, FraudFeatures.Count], TensorData.Raw(MemoryMarshal.AsBytes(rows.AsSpan()).ToArray()))],
            RequestedOutputs = everyOutput,
        };
        await using var scenario = new BatchingScenario(TestModels.LoadFraud(), Greedy);
        var running = await scenario.OccupyAsync(Requests.Fraud(rows, outputs: everyOutput));
        var typedInBatch = scenario.InferAsync(Requests.Fraud(rows, outputs: everyOutput));
        var rawInBatch = scenario.InferAsync(raw);
        await scenario.WaitUntilQueuedAsync(2);

        scenario.Runner.Open();
        using var alone = await running;
        using var typedResponse = await typedInBatch;
        using var rawResponse = await rawInBatch;

        Assert.Equal([3L, 6L], scenario.Runner.BatchRows);
        foreach (var batched in new[] { typedResponse, rawResponse })
        {
            Assert.Equal(everyOutput, batched.Outputs.Select(output => output.Name));
            for (var i = 0; i < everyOutput.Length; i++)
            {
                var expected = alone.Outputs[i];
                var actual = batched.Outputs[i];
                Assert.Equal((expected.Datatype, expected.ElementCount), (actual.Datatype, actual.ElementCount));
                Assert.Equal(expected.Shape, actual.Shape);
                Assert.Equal(expected.RawData.ToArray(), actual.RawData.ToArray());
                Assert.Equal(expected.RawByteLength, actual.RawByteLength);
                var expectedRaw = new byte[expected.RawByteLength];
                var actualRaw = new byte[actual.RawByteLength];
                expected.WriteRaw(expectedRaw);
                actual.WriteRaw(actualRaw);
                Assert.Equal(expectedRaw, actualRaw);
                var expectedContents = new RecordingContentsSink();
                var actualContents = new RecordingContentsSink();
                expected.WriteTypedContents(expectedContents);
                actual.WriteTypedContents(actualContents);
                Assert.Equal(expectedContents.Kind, actualContents.Kind);
                Assert.Equal(expectedContents.Values, actualContents.Values);
                Assert.Throws<InvalidOperationException>(() => actual.GetBytesElement(0));
            }
        }
    }

    [Fact]
    public async Task A_request_larger_than_the_max_batch_size_runs_in_a_batch_of_its_own()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 2 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [0]));
        var small = scenario.InferAsync(Requests.Identity("id", [1]));
        var large = scenario.InferAsync(Requests.Identity("id", [2, 3, 4]));
        var after = scenario.InferAsync(Requests.Identity("id", [5]));
        await scenario.WaitUntilQueuedAsync(3);

        scenario.Runner.Open();
        var responses = await Task.WhenAll(running, small, large, after);

        Assert.Equal([1L, 1L, 3L, 1L], scenario.Runner.BatchRows);
        Assert.Equal([2f, 3f, 4f], responses[2].Floats());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_model_without_a_batch_dimension_runs_each_request_alone()
    {
        var model = OnnxModel.Load("fixed", "1", TestModels.Identity(TensorDatatype.Fp32, 2, 2));
        Assert.Equal(0, model.Batching.MaxBatchSize);
        await using var scenario = new BatchingScenario(model, model.Batching);
        var running = await scenario.OccupyAsync(FixedRequest(0));
        var queued = Enumerable.Range(1, 3).Select(i => scenario.InferAsync(FixedRequest(i))).ToList();
        await scenario.WaitUntilQueuedAsync(3);

        scenario.Runner.Open();
        var responses = await Task.WhenAll([running, .. queued]);

        Assert.Equal(4, scenario.Runner.Runs);
        for (var i = 0; i < responses.Length; i++)
        {
            using var response = responses[i];
            Assert.Equal([i, i, i, i], response.Floats());
            Assert.Equal(2, response.Timings.BatchRows);
        }

        static InferenceRequest FixedRequest(int value) => new()
        {
            ModelName = "fixed",
            Inputs = [new InferenceInput("x", "FP32", [2, 2], TensorData.Typed(new float[] { value, value, value, value }))],
        };
    }

    [Fact]
    public async Task A_model_with_bytes_inputs_is_served_unbatched()
    {
        var model = OnnxModel.Load("text", "1", TestModels.Identity(TensorDatatype.Bytes, -1));
        Assert.False(model.Batching.IsBatching);
        await using var scenario = new BatchingScenario(model, model.Batching);
        var words = new[] { "alpha", "beta", "gamma" };

        var responses = await Task.WhenAll(words.Select(word => scenario.InferAsync(new InferenceRequest
        {
            ModelName = "text",
            Inputs = [new InferenceInput("x", "BYTES", [1], TensorData.Typed(new[] { System.Text.Encoding.UTF8.GetBytes(word) }))],
        })));

        Assert.Equal(3, scenario.Runner.Runs);
        Assert.Equal(words, responses.Select(response => System.Text.Encoding.UTF8.GetString(response.Outputs[0].GetBytesElement(0))));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Several_instances_run_batches_concurrently()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 1, InstanceCount = 3 });
        scenario.Runner.Close();

        // Each caller on its own thread, as on a server: an idle instance runs a request on its caller's thread.
        var pending = Enumerable.Range(1, 3).Select(i => Task.Run(() => scenario.InferAsync(Requests.Identity("id", [i])))).ToList();
        await scenario.Runner.WaitForRunsToStartAsync(3);

        Assert.Equal(3, scenario.Runner.MaxConcurrent);
        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll(pending))
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Statistics_count_requests_rows_executions_batch_sizes_and_failures()
    {
        await using var scenario = new BatchingScenario(IdentityModel(width: 2), new BatchingOptions { MaxBatchSize = 8 });
        var running = await scenario.OccupyAsync(Requests.Identity("id", [1, 1], width: 2));
        var batched = new[] { 2, 3 }.Select(rows => scenario.InferAsync(Requests.Identity("id", new float[rows * 2], width: 2))).ToList();
        using var cancellation = new CancellationTokenSource();
        var cancelled = scenario.InferAsync(Requests.Identity("id", [5, 5], width: 2), cancellation.Token);
        await scenario.WaitUntilQueuedAsync(3);
        await cancellation.CancelAsync();
        await Assert.ThrowsAsync<InferenceException>(() => cancelled);
        await Assert.ThrowsAsync<InferenceException>(() => scenario.InferAsync(Requests.Identity("id", [1, 2, 3], width: 2)));

        scenario.Runner.Open();
        foreach (var response in await Task.WhenAll([running, .. batched]))
        {
            response.Dispose();
        }

        var statistics = scenario.Model.Statistics.Snapshot();
        Assert.Equal(3, statistics.Success.Count);
        Assert.Equal(2, statistics.Fail.Count);
        Assert.Equal(6, statistics.InferenceCount);
        Assert.Equal(2, statistics.ExecutionCount);
        Assert.Equal(3, statistics.Queue.Count);
        Assert.Equal([(1, 1L), (5, 1L)], statistics.BatchStats.Select(batch => (batch.BatchSize, batch.ComputeInfer.Count)));
        Assert.Equal(0, statistics.Pending);
    }

    [Fact]
    public async Task Queue_time_is_measured_on_the_batcher_clock()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(40) });
        var pending = scenario.InferAsync(Requests.Identity("id", [1]));
        await scenario.WaitUntilQueuedAsync(1);

        scenario.Time.Advance(TimeSpan.FromMilliseconds(40));
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();

        var queue = scenario.Model.Statistics.Snapshot().Queue;
        Assert.Equal(1, queue.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(40).TotalNanoseconds, queue.Nanoseconds, tolerance: 1_000);
    }

    [Fact]
    public async Task Draining_runs_queued_requests_without_waiting_for_the_delay_and_then_rejects()
    {
        await using var scenario = new BatchingScenario(IdentityModel(), new BatchingOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromHours(1) });
        var pending = Enumerable.Range(1, 2).Select(i => scenario.InferAsync(Requests.Identity("id", [i]))).ToList();
        await scenario.WaitUntilQueuedAsync(2);

        await scenario.Batcher.DrainAsync().WaitAsync(TimeSpan.FromSeconds(10));

        foreach (var response in await Task.WhenAll(pending))
        {
            response.Dispose();
        }

        Assert.Equal([2L], scenario.Runner.BatchRows);
        var exception = await Assert.ThrowsAsync<InferenceException>(() => scenario.InferAsync(Requests.Identity("id", [3])));
        Assert.Equal(InferenceErrorKind.Unavailable, exception.Kind);
    }
}
