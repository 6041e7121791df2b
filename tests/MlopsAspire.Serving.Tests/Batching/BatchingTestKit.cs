using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML.OnnxRuntime;
using MlopsAspire.Serving.Batching;
using MlopsAspire.FraudData;

namespace MlopsAspire.Serving.Tests.Batching;

/// <summary>
/// Runs the real session, but can hold every Run at a gate, so a test can pile requests up behind a running
/// batch and see exactly how the batcher groups them. Records each Run's batch size and first input value.
/// </summary>
internal sealed class GatedRunner(OnnxModel model)
{
    private readonly ManualResetEventSlim _open = new(true);
    private readonly SemaphoreSlim _entered = new(0);
    private int _runs;
    private int _running;
    private int _maxConcurrent;

    public ConcurrentQueue<long> BatchRows { get; } = new();

    /// <summary>The first element of the first input of each Run (FP32 inputs only), to see the order of requests.</summary>
    public ConcurrentQueue<float> FirstValues { get; } = new();

    public int Runs => Volatile.Read(ref _runs);

    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    public IDisposableReadOnlyCollection<OrtValue> Run(PreparedInputs inputs, IReadOnlyList<string> outputNames)
    {
        Interlocked.Increment(ref _runs);
        BatchRows.Enqueue(inputs.Shapes[0].Length > 0 ? inputs.Shapes[0][0] : 1);
        if (inputs.Values[0].GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
        {
            FirstValues.Enqueue(inputs.Values[0].GetTensorDataAsSpan<float>()[0]);
        }

        var running = Interlocked.Increment(ref _running);
        for (var max = Volatile.Read(ref _maxConcurrent); running > max; max = Volatile.Read(ref _maxConcurrent))
        {
            Interlocked.CompareExchange(ref _maxConcurrent, running, max);
        }

        _entered.Release();
        try
        {
            if (!_open.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the test never opened the gate");
            }

            return model.Run(inputs, outputNames);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>Waits until <paramref name="count"/> more Runs have started.</summary>
    public async Task WaitForRunsToStartAsync(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _entered.WaitAsync(TimeSpan.FromSeconds(10)), $"run {i + 1} of {count} did not start");
        }
    }
}

/// <summary>An executor over one batcher, so requests go through the engine (validation, statistics, responses).</summary>
internal sealed class SingleBatcherExecutor(DynamicBatcher batcher, TimeProvider timeProvider) : IInferenceExecutor
{
    public TimeProvider TimeProvider => timeProvider;

    public ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken) =>
        batcher.EnqueueAsync(request, cancellationToken);
}

/// <summary>A model served through one batcher with a gated runner, on fake time.</summary>
internal sealed class BatchingScenario : IAsyncDisposable
{
    public BatchingScenario(OnnxModel model, BatchingOptions options, QueueByteBudget? budget = null)
    {
        Model = model;
        Repository.Add(model);
        Repository.SetDefaultVersion(model.Name, model.Version);
        Runner = new GatedRunner(model);
        Batcher = new DynamicBatcher(model, options, Time, logger: null, Runner.Run, budget);
        Engine = new InferenceEngine(Repository, new SingleBatcherExecutor(Batcher, Time));
    }

    public FakeTimeProvider Time { get; } = new();

    public ModelRepository Repository { get; } = new();

    public OnnxModel Model { get; }

    public GatedRunner Runner { get; }

    public DynamicBatcher Batcher { get; }

    public InferenceEngine Engine { get; }

    /// <summary>Sends a request from the test's thread: while an instance is busy it queues, in call order.</summary>
    public Task<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        Engine.InferAsync(request, cancellationToken).AsTask();

    /// <summary>Closes the gate, sends a first request and waits until its Run holds the only instance.</summary>
    public async Task<Task<InferenceResponse>> OccupyAsync(InferenceRequest request)
    {
        Runner.Close();
        // From another thread, as a server's caller: an idle batcher runs this request on its caller's thread.
        var running = Task.Run(() => InferAsync(request));
        await Runner.WaitForRunsToStartAsync();
        return running;
    }

    public Task WaitUntilQueuedAsync(int count) =>
        Eventually.WaitUntilAsync(() => Batcher.QueuedRequests == count, $"{count} requests are queued (now {Batcher.QueuedRequests})");

    public async ValueTask DisposeAsync()
    {
        Runner.Open();
        await Batcher.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Repository.Dispose();
    }
}

internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        // A safety net only: the wait ends as soon as the condition holds.
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > giveUp)
            {
                Assert.Fail($"timed out waiting until {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Gives the batcher's workers real time to do something they should not do, for negative checks only: batchers
    /// run on the scenario's fake clock, so a correct one does nothing more however long this takes, and a slow machine
    /// can only make such a check weaker, never make it fail.
    /// </summary>
    public static Task SettleAsync() => Task.Delay(150);
}

internal static class Requests
{
    public static InferenceRequest Fraud(float[] rows, string? id = null, IReadOnlyList<string>? outputs = null, int priority = 0, TimeSpan? timeout = null) => new()
    {
        ModelName = "fraud",
        Id = id,
        Inputs = [new InferenceInput("Features", "FP32", [rows.Length / FraudFeatures.Count, FraudFeatures.Count], TensorData.Typed(rows))],
        RequestedOutputs = outputs ?? ["Probability.output"],
        Priority = priority,
        Timeout = timeout,
    };

    public static float[] FraudRows(int count, int seed) =>
        new FraudDataGenerator(new FraudDataOptions { Seed = seed }).Generate(count).SelectMany(row => row.Features).ToArray();

    /// <summary>A request to an identity model with input "x" FP32 [rows, width] holding <paramref name="values"/>.</summary>
    public static InferenceRequest Identity(string model, float[] values, int width = 1, int priority = 0, TimeSpan? timeout = null, DateTimeOffset? deadline = null) => new()
    {
        ModelName = model,
        Inputs = [new InferenceInput("x", "FP32", [values.Length / width, width], TensorData.Typed(values))],
        Priority = priority,
        Timeout = timeout,
        Deadline = deadline,
    };

    public static float[] Floats(this InferenceResponse response, string? output = null) =>
        (output is null ? response.Outputs[0] : response.FindOutput(output)!).GetValues<float>().ToArray();
}
