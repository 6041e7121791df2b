using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Configuration;

namespace MlopsAspire.Serving.Tests.Batching;

public sealed class BatchingInferenceExecutorTests
{
    [Fact]
    public async Task Each_loaded_version_gets_its_own_batcher_with_its_configuration()
    {
        using var repository = new ModelRepository();
        repository.Add(TestModels.LoadFraud("1"));
        repository.Add(OnnxModel.Load("fraud", "2", TestModels.Fraud.OnnxModel, configuration: new ModelConfiguration { MaxBatchSize = 16 }));
        await using var executor = new BatchingInferenceExecutor();
        var engine = new InferenceEngine(repository, executor);

        foreach (var version in new[] { "1", "2", "1" })
        {
            var request = Requests.Fraud(Requests.FraudRows(2, seed: 5));
            using var response = await engine.InferAsync(new InferenceRequest { ModelName = request.ModelName, ModelVersion = version, Inputs = request.Inputs });
            Assert.Equal(version, response.ModelVersion);
        }

        Assert.Equal(2, executor.Batchers.Count);
        Assert.Equal(64, executor.FindBatcher(repository.Resolve("fraud", "1"))!.Options.MaxBatchSize);
        Assert.Equal(16, executor.FindBatcher(repository.Resolve("fraud", "2"))!.Options.MaxBatchSize);
    }

    [Fact]
    public async Task Unloading_a_version_finishes_its_queued_requests_and_then_frees_the_session()
    {
        var time = new FakeTimeProvider();
        var runners = new ConcurrentDictionary<OnnxModel, GatedRunner>();
        using var repository = new ModelRepository();
        var model = TestModels.LoadFraud();
        repository.Add(model);
        repository.SetDefaultVersion("fraud", "1");
        await using var executor = new BatchingInferenceExecutor(time, logger: null, runners: m => runners.GetOrAdd(m, static m => new GatedRunner(m)).Run);
        var engine = new InferenceEngine(repository, executor);
        var runner = runners.GetOrAdd(model, static m => new GatedRunner(m));
        runner.Close();

        // From another thread, as a server's caller: an idle batcher runs the first request on its caller's thread.
        var running = Task.Run(() => engine.InferAsync(Requests.Fraud(Requests.FraudRows(1, seed: 1))).AsTask());
        await runner.WaitForRunsToStartAsync();
        var batcher = executor.FindBatcher(model)!;
        var queued = Enumerable.Range(0, 3).Select(i => engine.InferAsync(Requests.Fraud(Requests.FraudRows(1, seed: 10 + i))).AsTask()).ToList();
        await Eventually.WaitUntilAsync(() => batcher.QueuedRequests == 3, "3 requests are queued");

        Assert.True(repository.Remove("fraud", "1"));
        Assert.True(batcher.IsDraining);
        Assert.Null(executor.FindBatcher(model));
        var late = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(Requests.Fraud(Requests.FraudRows(1, seed: 2))).AsTask());
        Assert.Equal(InferenceErrorKind.NotFound, late.Kind);
        Assert.False(model.IsDisposed);

        runner.Open();
        var responses = await Task.WhenAll([running, .. queued]);
        Assert.All(responses, response => Assert.Single(response.Outputs));
        Assert.Equal([1L, 3L], runner.BatchRows);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.True(model.IsDisposed);
    }

    [Fact]
    public async Task A_request_that_leased_a_version_just_before_it_was_unloaded_still_runs()
    {
        using var repository = new ModelRepository();
        var model = OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 1));
        repository.Add(model);
        repository.SetDefaultVersion("id", "1");
        await using var executor = new BatchingInferenceExecutor();
        var engine = new InferenceEngine(repository, executor);
        (await engine.InferAsync(Requests.Identity("id", [1]))).Dispose();

        Assert.True(model.TryAcquire());
        repository.Remove("id", "1");
        using var inputs = TensorCodec.PrepareInputs(model, Requests.Identity("id", [7]).Inputs);
        using var outputs = await executor.ExecuteAsync(
            model,
            new ExecutionRequest { Inputs = inputs, OutputNames = ["y"], StartTimestamp = executor.TimeProvider.GetTimestamp() },
            CancellationToken.None);

        Assert.Equal(7f, MemoryMarshal.Cast<byte, float>(outputs.RawData(0))[0]);
        model.Release();
        Assert.True(model.IsDisposed);
    }

    [Fact]
    public async Task Many_concurrent_callers_get_their_own_answers()
    {
        using var repository = new ModelRepository();
        repository.Add(OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 4), configuration: new ModelConfiguration { InstanceCount = 2 }));
        repository.SetDefaultVersion("id", "1");
        await using var executor = new BatchingInferenceExecutor();
        var engine = new InferenceEngine(repository, executor);

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
        {
            var rows = 1 + i % 3;
            var values = Enumerable.Range(0, rows * 4).Select(j => (float)(i * 100 + j)).ToArray();
            using var response = await engine.InferAsync(Requests.Identity("id", values, width: 4));
            return values.SequenceEqual(response.Floats());
        })));

        Assert.All(results, Assert.True);
        var statistics = repository.Resolve("id", "1").Statistics.Snapshot();
        Assert.Equal(400, statistics.Success.Count);
        Assert.Equal(Enumerable.Range(0, 400).Sum(i => 1 + i % 3), statistics.InferenceCount);
        Assert.True(statistics.ExecutionCount <= 400);
    }

    [Fact]
    public async Task Under_mixed_traffic_every_request_is_answered_once_and_the_queue_empties()
    {
        using var repository = new ModelRepository();
        var configuration = ModelConfigurationParser.Parse(
            """{ "max_batch_size": 8, "dynamic_batching": { "max_queue_delay_microseconds": 200, "preferred_batch_size": [4], "priority_levels": 2 }, "instance_group": { "count": 2 } }""");
        repository.Add(OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 2), configuration: configuration));
        repository.SetDefaultVersion("id", "1");
        await using var executor = new BatchingInferenceExecutor();
        var engine = new InferenceEngine(repository, executor);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
        {
            using var cancellation = new CancellationTokenSource();
            if (i % 7 == 0)
            {
                cancellation.CancelAfter(TimeSpan.FromMicroseconds(i % 3 * 100));
            }

            var values = Enumerable.Range(0, 2 * (1 + i % 3)).Select(j => (float)(i * 10 + j)).ToArray();
            var request = Requests.Identity("id", values, width: 2, priority: 1 + i % 2, timeout: i % 11 == 0 ? TimeSpan.FromMicroseconds(50) : null);
            try
            {
                using var response = await engine.InferAsync(request, cancellation.Token);
                return values.SequenceEqual(response.Floats()) ? "ok" : "wrong";
            }
            catch (InferenceException exception) when (exception.Kind is InferenceErrorKind.Cancelled or InferenceErrorKind.DeadlineExceeded)
            {
                return "dropped";
            }
        })));

        Assert.DoesNotContain("wrong", outcomes);
        var model = repository.Resolve("id", "1");
        var statistics = model.Statistics.Snapshot();
        Assert.Equal(outcomes.Count(outcome => outcome == "ok"), statistics.Success.Count);
        Assert.Equal(outcomes.Count(outcome => outcome == "dropped"), statistics.Fail.Count);
        Assert.Equal(0, statistics.Pending);
        Assert.Equal(0, executor.FindBatcher(model)!.QueuedRequests);
    }

    [Fact]
    public async Task The_inline_executor_records_one_outcome_per_request()
    {
        using var repository = new ModelRepository();
        repository.Add(OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 1)));
        repository.SetDefaultVersion("id", "1");
        var engine = new InferenceEngine(repository);

        (await engine.InferAsync(Requests.Identity("id", [1, 2]))).Dispose();
        await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(Requests.Identity("id", [1, 2], width: 3)).AsTask());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var exception = await Assert.ThrowsAsync<InferenceException>(() => engine.InferAsync(Requests.Identity("id", [1]), cancelled.Token).AsTask());

        Assert.Equal(InferenceErrorKind.Cancelled, exception.Kind);
        var statistics = repository.Resolve("id", "1").Statistics.Snapshot();
        Assert.Equal(1, statistics.Success.Count);
        Assert.Equal(2, statistics.Fail.Count);
        Assert.Equal(2, statistics.InferenceCount);
        Assert.Equal(1, statistics.ExecutionCount);
        Assert.Equal(0, statistics.Pending);
    }
}
