using BenchmarkDotNet.Attributes;
using MlopsAspire.Serving;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// The routing lookup every request pays: resolving a model's default or pinned version and taking (and
/// returning) a lease on it, in a repository serving 32 models of 3 versions each.
/// </summary>
[MemoryDiagnoser]
public class ModelRepositoryBenchmarks
{
    private const int Models = 32;
    private const int Versions = 3;

    private readonly ModelRepository _repository = new();

    [GlobalSetup]
    public void SetUp()
    {
        var onnx = BenchmarkModels.Identity(BenchmarkModels.FraudRowShape);
        for (var m = 0; m < Models; m++)
        {
            for (var v = 1; v <= Versions; v++)
            {
                _repository.Add(OnnxModel.Load($"model-{m:00}", v.ToString(System.Globalization.CultureInfo.InvariantCulture), onnx));
            }

            _repository.SetDefaultVersion($"model-{m:00}", "2");
        }
    }

    [GlobalCleanup]
    public void CleanUp() => _repository.Dispose();

    [Benchmark(Baseline = true, Description = "resolve default version")]
    public OnnxModel ResolveDefault() => _repository.Resolve("model-17", null);

    [Benchmark(Description = "resolve pinned version")]
    public OnnxModel ResolvePinned() => _repository.Resolve("model-17", "3");

    [Benchmark(Description = "acquire and release lease")]
    public OnnxModel AcquireRelease()
    {
        var model = _repository.Acquire("model-17", null);
        model.Release();
        return model;
    }

    [Benchmark(Description = "unknown model (TryResolve)")]
    public bool Miss() => _repository.TryResolve("model-99", null, out _);
}
