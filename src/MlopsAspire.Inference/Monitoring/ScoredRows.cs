using System.Runtime.InteropServices;
using MlopsAspire.ModelContracts;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// The tabular view monitoring takes of a request, as the version's <see cref="MonitoringPlan"/> says: the profiled
/// input's rows of FP32 features, one prediction per row (a binary classifier's score, a multiclass one's class index,
/// a regression's value) and, for comparing with a shadow, the predicted class per row. What the plan does not name
/// is not read: a model without a tabular input or a prediction is monitored by counts and latency only.
/// Features are read in place, not copied: they are valid only while the request is, so whatever keeps them
/// longer (the payload log, the profile sample) copies what it keeps.
/// </summary>
public sealed class ScoredRows
{
    /// <summary>Rows above this many features are not profiled (an image is not a feature vector).</summary>
    public const int MaxFeatures = 1024;

    // One of the two holds the features: the request's raw bytes, or a copy of its typed (protobuf) values.
    private readonly ReadOnlyMemory<byte> _rawFeatures;
    private readonly float[]? _copiedFeatures;

    private ScoredRows(int rows, int batchRows, int featureCount, ReadOnlyMemory<byte> rawFeatures, float[]? copiedFeatures, float[] scores, float[]? labels)
    {
        Rows = rows;
        BatchRows = batchRows;
        FeatureCount = featureCount;
        _rawFeatures = rawFeatures;
        _copiedFeatures = copiedFeatures;
        Scores = scores;
        Labels = labels;
    }

    public int Rows { get; }

    /// <summary>Rows of the batch the request was executed in (the sum over the requests batched with it).</summary>
    public int BatchRows { get; }

    public int FeatureCount { get; }

    /// <summary>Row-major features, read in place (valid only while the request is); empty when not tabular.</summary>
    public ReadOnlySpan<float> Features => _copiedFeatures ?? MemoryMarshal.Cast<byte, float>(_rawFeatures.Span);

    /// <summary>The prediction of each row, as the plan reads it; empty when the plan names none.</summary>
    public float[] Scores { get; }

    /// <summary>
    /// The predicted class per row, read only when asked for (shadow comparisons need them, statistics do not):
    /// a binary classifier's label output when it names one, a multiclass one's class index; null otherwise.
    /// </summary>
    public float[]? Labels { get; }

    /// <summary>Reads what the version's plan names; never throws (monitoring must not fail a request).</summary>
    /// <param name="withLabels">Also read the predicted classes (for comparing with a shadow's).</param>
    public static ScoredRows From(InferenceRequest request, InferenceResponse response, bool withLabels = false) =>
        From(request, response, response.MonitoringPlan, withLabels);

    /// <inheritdoc cref="From(InferenceRequest, InferenceResponse, bool)"/>
    public static ScoredRows From(InferenceRequest request, InferenceResponse response, MonitoringPlan plan, bool withLabels = false)
    {
        var rows = 1;
        var featureCount = 0;
        ReadOnlyMemory<byte> rawFeatures = default;
        float[]? copiedFeatures = null;
        var input = FindInput(request, plan.FeatureInput) ?? (request.Inputs.Count > 0 ? request.Inputs[0] : null);
        if (plan.FeatureInput is not null && input is { Datatype: "FP32", Shape.Count: 2 } && input.Name == plan.FeatureInput
            && input.Shape[1] is > 0 and <= MaxFeatures && input.Shape[0] >= 0)
        {
            rows = (int)input.Shape[0];
            featureCount = (int)input.Shape[1];
            var count = rows * featureCount;
            if (input.Data.IsRaw && input.Data.RawBytes.Length == count * sizeof(float))
            {
                rawFeatures = input.Data.RawBytes;
            }
            else if (!input.Data.IsRaw && input.Data.Values is IReadOnlyList<float> values && values.Count == count)
            {
                copiedFeatures = Copy(values);
            }
            else
            {
                featureCount = 0;
            }
        }
        else if (input is { Shape.Count: > 0 })
        {
            rows = (int)Math.Max(1, input.Shape[0]);
        }

        var scores = plan.Prediction is { } prediction ? Read(response, prediction, plan.Classes, rows) ?? [] : [];
        var labels = withLabels ? PredictedClasses(response, plan, scores, rows) : null;
        // An executor that reports no batch ran the request on its own.
        var batchRows = response.Timings.BatchRows > 0 ? response.Timings.BatchRows : rows;
        return new ScoredRows(rows, batchRows, featureCount, rawFeatures, copiedFeatures, scores, labels);
    }

    /// <summary>
    /// Rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="rowCount"/> of these rows, as
    /// the request that contributed them to a batch sees them (same batch size); features are still read in place.
    /// </summary>
    public ScoredRows Slice(int firstRow, int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstRow + rowCount, Rows);
        if (firstRow == 0 && rowCount == Rows)
        {
            return this;
        }

        var start = firstRow * FeatureCount;
        var length = rowCount * FeatureCount;
        var raw = FeatureCount > 0 && _copiedFeatures is null ? _rawFeatures.Slice(start * sizeof(float), length * sizeof(float)) : default;
        var copied = FeatureCount > 0 && _copiedFeatures is not null ? _copiedFeatures.AsSpan(start, length).ToArray() : null;
        var scores = Scores.Length == Rows ? Scores.AsSpan(firstRow, rowCount).ToArray() : [];
        var labels = Labels is { } all && all.Length == Rows ? all.AsSpan(firstRow, rowCount).ToArray() : null;
        return new ScoredRows(rowCount, BatchRows, FeatureCount, raw, copied, scores, labels);
    }

    /// <summary>A copy of the request's first input as raw bytes, for replaying it on a shadow version.</summary>
    public static InferenceRequest CopyForShadow(InferenceRequest request, string shadowVersion, TimeSpan timeout)
    {
        var inputs = new List<InferenceInput>(request.Inputs.Count);
        foreach (var input in request.Inputs)
        {
            var data = input.Data.IsRaw
                ? TensorData.Raw(input.Data.RawBytes.ToArray(), input.Data.RawIndex)
                : input.Data;

            // Typed contents are protobuf lists owned by the request message; copy the common FP32 case to raw bytes.
            if (!input.Data.IsRaw && input.Data.Values is IReadOnlyList<float> floats)
            {
                data = TensorData.Raw(MemoryMarshal.AsBytes(Copy(floats).AsSpan()).ToArray());
            }

            inputs.Add(new InferenceInput(input.Name, input.Datatype, [.. input.Shape], data));
        }

        return new InferenceRequest
        {
            ModelName = request.ModelName,
            ModelVersion = shadowVersion,
            Id = request.Id,
            Inputs = inputs,
            RequestedOutputs = null,
            Timeout = timeout,
        };
    }

    private static float[] Copy(IReadOnlyList<float> values)
    {
        var copy = new float[values.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = values[i];
        }

        return copy;
    }

    // Loops rather than LINQ: these run for every request.
    private static InferenceInput? FindInput(InferenceRequest request, string? name)
    {
        if (name is null)
        {
            return null;
        }

        var inputs = request.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (string.Equals(inputs[i].Name, name, StringComparison.Ordinal))
            {
                return inputs[i];
            }
        }

        return null;
    }

    private static InferenceOutput? FindOutput(InferenceResponse response, string name)
    {
        var outputs = response.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (string.Equals(outputs[i].Name, name, StringComparison.Ordinal))
            {
                return outputs[i];
            }
        }

        return null;
    }

    /// <summary>The predicted class per row for comparing with a shadow: the label output of a binary classifier, the prediction of a multiclass one.</summary>
    private static float[]? PredictedClasses(InferenceResponse response, MonitoringPlan plan, float[] predictions, int rows) => plan.Task switch
    {
        ModelTask.MulticlassClassification when predictions.Length == rows => predictions,
        ModelTask.BinaryClassification when plan.Prediction is { Reading: PredictionReading.Value } && plan.LabelOutput is { } label =>
            Read(response, new PredictionSource(label, PredictionReading.LabelValue), plan.Classes, rows),
        ModelTask.BinaryClassification when plan.Prediction is { Reading: PredictionReading.LabelValue or PredictionReading.LabelName } && predictions.Length == rows => predictions,
        _ => null,
    };

    /// <summary>
    /// One value per row of <paramref name="source"/>'s output, or null when the response lacks it (not requested by the
    /// caller) or it does not hold a whole number of values per row.
    /// </summary>
    private static float[]? Read(InferenceResponse response, PredictionSource source, IReadOnlyList<string> classes, int rows)
    {
        if (FindOutput(response, source.Output) is not { } output || rows <= 0 || output.ElementCount == 0 || output.ElementCount % rows != 0)
        {
            return null;
        }

        var perRow = (int)(output.ElementCount / rows);
        var result = new float[rows];
        if (output.Datatype == TensorDatatype.Bytes)
        {
            if (source.Reading != PredictionReading.LabelName || perRow != 1)
            {
                return null;
            }

            for (var row = 0; row < rows; row++)
            {
                result[row] = ClassIndex(output.GetBytesElement(row), classes);
            }

            return result;
        }

        if (source.Reading == PredictionReading.ArgMax)
        {
            for (var row = 0; row < rows; row++)
            {
                var best = 0;
                var bestValue = double.NegativeInfinity;
                for (var column = 0; column < perRow; column++)
                {
                    var value = Element(output, (row * perRow) + column);
                    if (value > bestValue)
                    {
                        (best, bestValue) = (column, value);
                    }
                }

                result[row] = best;
            }

            return result;
        }

        var at = source.Reading == PredictionReading.Value ? source.Column : 0;
        if (at >= perRow)
        {
            return null;
        }

        for (var row = 0; row < rows; row++)
        {
            result[row] = (float)Element(output, (row * perRow) + at);
        }

        return result;
    }

    private static double Element(InferenceOutput output, long index) => output.Datatype switch
    {
        TensorDatatype.Fp32 => output.GetValues<float>()[(int)index],
        TensorDatatype.Fp64 => output.GetValues<double>()[(int)index],
        TensorDatatype.Int64 => output.GetValues<long>()[(int)index],
        TensorDatatype.Int32 => output.GetValues<int>()[(int)index],
        TensorDatatype.UInt32 => output.GetValues<uint>()[(int)index],
        TensorDatatype.UInt8 => output.GetValues<byte>()[(int)index],
        TensorDatatype.Bool => output.GetValues<byte>()[(int)index] != 0 ? 1 : 0,
        _ => double.NaN,
    };

    private static float ClassIndex(ReadOnlySpan<byte> name, IReadOnlyList<string> classes)
    {
        var text = System.Text.Encoding.UTF8.GetString(name);
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], text, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return float.NaN;
    }
}
