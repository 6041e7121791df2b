using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// What the dynamic batcher adds per request over running each request on its own, on an identity model with
/// the fraud model's row shape so that the session's compute is negligible: one caller at a time (queueing,
/// hand-off and split cost) and 64 concurrent callers (where batching amortises Run's fixed cost).
/// </summary>
[MemoryDiagnoser]
public class DynamicBatcherBenchmarks
{
    private const int Callers = 64;

    private OnnxModel _model = null!;
    private DynamicBatcher _batcher = null!;
    private InferenceInput[] _inputs = null!;
    private readonly string[] _outputs = [BenchmarkModels.Output];

    [GlobalSetup]
    public void SetUp()
    {
        var shape = BenchmarkModels.OneRow(BenchmarkModels.FraudRowShape);
        var values = BenchmarkModels.RandomValues(shape, seed: 5);
        _inputs = [new InferenceInput(BenchmarkModels.Input, "FP32", shape, TensorData.Raw(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()))];
        _model = OnnxModel.Load("identity", "1", BenchmarkModels.Identity(BenchmarkModels.FraudRowShape), new OnnxModelOptions { IntraOpThreads = 1 });
        _batcher = new DynamicBatcher(_model, new BatchingOptions { MaxBatchSize = 64, MaxQueueDelay = TimeSpan.Zero });
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        await _batcher.DisposeAsync();
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "inline, 1 caller")]
    public async Task<int> InlineOneCaller() => await RunAsync(InlineInferenceExecutor.Instance.ExecuteAsync);

    [Benchmark(Description = "batcher, 1 caller")]
    public async Task<int> BatcherOneCaller() => await RunAsync((_, request, cancellation) => _batcher.EnqueueAsync(request, cancellation));

    [Benchmark(OperationsPerInvoke = Callers, Description = "inline, 64 callers")]
    public Task InlineConcurrent() => Concurrently(() => RunAsync(InlineInferenceExecutor.Instance.ExecuteAsync));

    [Benchmark(OperationsPerInvoke = Callers, Description = "batcher, 64 callers")]
    public Task BatcherConcurrent() => Concurrently(() => RunAsync((_, request, cancellation) => _batcher.EnqueueAsync(request, cancellation)));

    private async Task<int> RunAsync(Func<OnnxModel, ExecutionRequest, CancellationToken, ValueTask<ExecutionOutputs>> execute)
    {
        using var inputs = TensorCodec.PrepareInputs(_model, _inputs);
        var request = new ExecutionRequest { Inputs = inputs, OutputNames = _outputs, StartTimestamp = TimeProvider.System.GetTimestamp() };
        using var outputs = await execute(_model, request, CancellationToken.None);
        return outputs.Count;
    }

    private static Task<int[]> Concurrently(Func<Task<int>> call) =>
        Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(call)));
}
