using System.Diagnostics;
using MlopsAspire.Abstractions;
using MlopsAspire.Serving;

namespace MlopsAspire.ControlPlane.Validation;

/// <summary>
/// Decides whether an uploaded artifact can be served: ONNX Runtime must load it, its signature is
/// recorded, and a smoke inference on zero-filled inputs must run at each probe batch size, whose
/// latency is stored for capacity planning.
/// </summary>
public sealed class ArtifactValidator(ILogger<ArtifactValidator> logger)
{
    private static readonly int[] ProbeBatchSizes = [1, 4];

    public ValidationReport Validate(string modelName, byte[] onnx) => Check(modelName, onnx).Report;

    /// <summary>Like <see cref="Validate"/>, and says whether ONNX Runtime could load the artifact at all.</summary>
    public ArtifactCheck Check(string modelName, byte[] onnx)
    {
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(modelName, "validation", onnx, new OnnxModelOptions { IntraOpThreads = 1 }, logger);
        }
        catch (Exception ex)
        {
            return new ArtifactCheck(Loadable: false, Failed($"ONNX Runtime could not load the artifact: {ex.Message}"));
        }

        using (model)
        {
            var inputs = model.Signature.Inputs.Select(ToSignature).ToArray();
            var outputs = model.Signature.Outputs.Select(ToSignature).ToArray();
            var latencies = new Dictionary<int, double>();
            try
            {
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
            catch (Exception ex)
            {
                return new ArtifactCheck(Loadable: true, new ValidationReport(false, $"smoke inference failed: {ex.Message}", inputs, outputs, latencies));
            }

            var detail = $"loaded; inputs {string.Join("; ", inputs.Select(i => i.ToString()))}; "
                + $"smoke inference ran at batch {string.Join(", ", latencies.Keys)}";
            return new ArtifactCheck(Loadable: true, new ValidationReport(true, detail, inputs, outputs, latencies));
        }
    }

    private static double SmokeRun(OnnxModel model, int batchSize)
    {
        var requestInputs = model.Signature.Inputs.Select(spec =>
        {
            var shape = spec.Shape.Select((dimension, axis) => dimension >= 0 ? dimension : axis == 0 ? batchSize : 1).ToArray();
            var elements = shape.Aggregate(1L, (product, dimension) => product * dimension);
            var bytes = spec.Datatype == TensorDatatype.Bytes
                ? new byte[elements * sizeof(int)] // each element a zero-length string
                : new byte[elements * spec.Datatype.ElementSize()];
            return new InferenceInput(spec.Name, spec.DatatypeName, shape, TensorData.Raw(bytes));
        }).ToArray();

        var stopwatch = Stopwatch.StartNew();
        using var prepared = TensorCodec.PrepareInputs(model, requestInputs);
        using var results = model.Run(prepared, model.Signature.OutputNameList);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static TensorSignature ToSignature(TensorSpec spec) => new(spec.Name, spec.DatatypeName, spec.Shape);

    private static ValidationReport Failed(string detail) => new(false, detail, [], [], new Dictionary<int, double>());
}

/// <summary>The validation report, and whether the artifact is a model ONNX Runtime can load (false: not ONNX, or corrupt).</summary>
public sealed record ArtifactCheck(bool Loadable, ValidationReport Report);
