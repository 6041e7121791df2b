using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Warmup;

namespace MlopsAspire.ValidationSandbox;

/// <summary>
/// Decides whether a model file can be served: it must keep all its data inside the file, ONNX Runtime must load it
/// with its serving configuration the way a replica does (from a file, then warmup), and a smoke inference on
/// warmup's synthetic inputs must run at each probe batch size, whose latency is kept for capacity planning.
/// </summary>
public static class SandboxedModelCheck
{
    private static readonly int[] ProbeBatchSizes = [1, 4];

    public static SandboxVerdict Run(string modelPath, string modelName, string? servingConfigJson, long memoryLimitBytes)
    {
        var external = ExternalTensorReferences.Find(modelPath);
        if (external.Count > 0)
        {
            var first = external[0];
            return SandboxVerdict.Refused(
                SandboxOutcome.NotLoadable,
                $"the artifact keeps {external.Count} tensor(s) in external files (tensor '{first.TensorName}' in '{first.Location}'); "
                + "a registered model must carry all its data inside the one file that is uploaded: save it without external data "
                + "(onnx.save_model(model, path, save_as_external_data=False)).");
        }

        ModelConfiguration configuration;
        try
        {
            configuration = string.IsNullOrWhiteSpace(servingConfigJson)
                ? ModelConfiguration.Default
                : ModelConfigurationParser.Parse(servingConfigJson, "config");
        }
        catch (ModelConfigurationException exception)
        {
            return SandboxVerdict.Refused(SandboxOutcome.InvalidConfiguration, exception.Message);
        }

        // Validation takes one core whatever the configuration asks of a replica.
        configuration = configuration with
        {
            Optimization = configuration.Optimization with { IntraOpThreads = 1, InterOpThreads = 1 },
        };

        OnnxModel model;
        try
        {
            model = OnnxModel.Load(modelName, "validation", modelPath, new OnnxModelOptions { IntraOpThreads = 1, InterOpThreads = 1 }, configuration: configuration);
        }
        catch (ModelConfigurationException exception)
        {
            return SandboxVerdict.Refused(SandboxOutcome.InvalidConfiguration, exception.Message);
        }
        catch (Exception exception) when (IsAllocationFailure(exception))
        {
            return OverMemory(memoryLimitBytes, "loading", exception);
        }
        catch (Exception exception)
        {
            return SandboxVerdict.Refused(SandboxOutcome.NotLoadable, $"ONNX Runtime could not load the artifact: {exception.Message}");
        }

        using (model)
        {
            var inputs = model.Signature.Inputs.Select(ToTensor).ToArray();
            var outputs = model.Signature.Outputs.Select(ToTensor).ToArray();
            var latencies = new Dictionary<int, double>();
            try
            {
                ModelWarmup.Run(model);
                foreach (var batchSize in ProbeBatchSizes)
                {
                    // A model whose first dimension is fixed only takes its own batch size.
                    if (batchSize > 1 && !model.Signature.Inputs.All(input => input.Shape.Length > 0 && input.Shape[0] < 0))
                    {
                        continue;
                    }

                    latencies[batchSize] = SmokeRun(model, batchSize);
                }
            }
            catch (Exception exception) when (IsAllocationFailure(exception))
            {
                return OverMemory(memoryLimitBytes, "running", exception);
            }
            catch (Exception exception)
            {
                return new SandboxVerdict(SandboxOutcome.SmokeFailed, $"smoke inference failed: {exception.Message}", inputs, outputs, latencies);
            }

            var detail = $"loaded; inputs {string.Join("; ", inputs.Select(Describe))}; "
                + $"smoke inference ran at batch {string.Join(", ", latencies.Keys)}";
            return new SandboxVerdict(SandboxOutcome.Passed, detail, inputs, outputs, latencies);
        }
    }

    /// <summary>
    /// Past the address-space cap, ONNX Runtime's allocators fail with <c>bad_alloc</c> or "Failed to allocate", and
    /// managed allocations past the GC's hard limit with <see cref="OutOfMemoryException"/>.
    /// </summary>
    private static bool IsAllocationFailure(Exception exception) =>
        exception is OutOfMemoryException or InsufficientMemoryException
        || (exception is OnnxRuntimeException or InferenceException
            && (exception.Message.Contains("bad_alloc", StringComparison.OrdinalIgnoreCase)
                || exception.Message.Contains("Failed to allocate", StringComparison.OrdinalIgnoreCase)
                || exception.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)))
        || (exception.InnerException is { } inner && IsAllocationFailure(inner));

    private static SandboxVerdict OverMemory(long memoryLimitBytes, string stage, Exception exception) =>
        SandboxVerdict.Refused(
            SandboxOutcome.MemoryLimit,
            $"{stage} the model needed more than the validation memory limit of {memoryLimitBytes / (1024 * 1024)} MiB: {exception.Message}");

    private static double SmokeRun(OnnxModel model, int batchSize)
    {
        var requestInputs = ModelWarmup.SyntheticInputs(model.Signature, batchSize);
        var stopwatch = Stopwatch.StartNew();
        using var prepared = TensorCodec.PrepareInputs(model, requestInputs);
        using var results = model.Run(prepared, model.Signature.OutputNameList);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static SandboxTensor ToTensor(TensorSpec spec) => new(spec.Name, spec.DatatypeName, spec.Shape);

    private static string Describe(SandboxTensor tensor) => $"{tensor.Name} {tensor.Datatype} [{string.Join(",", tensor.Shape)}]";
}
