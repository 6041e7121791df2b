using System.Runtime.InteropServices;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// The tabular view monitoring takes of a request: its first input as rows of FP32 features, the score per row
/// (a probability or score output of one value per row) and the predicted label per row when the model has one.
/// Models that do not fit (images, several values per row) are monitored by counts and latency only.
/// Features are read in place, not copied: they are valid only while the request is, so whatever keeps them
/// longer (the payload log, the profile sample) copies what it keeps.
/// </summary>
public sealed class ScoredRows
{
    private static readonly string[] ScoreOutputNames = ["Probability.output", "probability", "probabilities", "Score.output", "score"];
    private static readonly string[] LabelOutputNames = ["PredictedLabel.output", "label", "predicted_label"];

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

    public float[] Scores { get; }

    /// <summary>Predicted label per row; read only when asked for (shadow comparisons need them, statistics do not).</summary>
    public float[]? Labels { get; }

    /// <summary>Reads what it can; never throws (monitoring must not fail a request).</summary>
    /// <param name="withLabels">Also read the predicted labels (for comparing with a shadow's).</param>
    public static ScoredRows From(InferenceRequest request, InferenceResponse response, bool withLabels = false)
    {
        var rows = 1;
        var featureCount = 0;
        ReadOnlyMemory<byte> rawFeatures = default;
        float[]? copiedFeatures = null;
        var input = request.Inputs.Count > 0 ? request.Inputs[0] : null;
        if (input is { Datatype: "FP32", Shape.Count: 2 } && input.Shape[1] is > 0 and <= MaxFeatures && input.Shape[0] >= 0)
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

        var scores = ReadPerRow(response, ScoreOutputNames, rows, preferLastColumn: true) ?? [];
        var labels = withLabels ? ReadPerRow(response, LabelOutputNames, rows, preferLastColumn: false) : null;
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

    // A loop rather than InferenceResponse.FindOutput: this runs for every request and every candidate name.
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

    private static float[]? ReadPerRow(InferenceResponse response, string[] names, int rows, bool preferLastColumn)
    {
        foreach (var name in names)
        {
            if (FindOutput(response, name) is not { } output || output.ElementCount == 0 || output.ElementCount % rows != 0)
            {
                continue;
            }

            var perRow = (int)(output.ElementCount / rows);
            if (perRow > 2)
            {
                continue;
            }

            // Two values per row are class probabilities: the positive class is the last.
            var column = preferLastColumn ? perRow - 1 : 0;
            var result = new float[rows];
            switch (output.Datatype)
            {
                case TensorDatatype.Fp32:
                    var floats = output.GetValues<float>();
                    for (var row = 0; row < rows; row++)
                    {
                        result[row] = floats[row * perRow + column];
                    }

                    return result;
                case TensorDatatype.Fp64:
                    var doubles = output.GetValues<double>();
                    for (var row = 0; row < rows; row++)
                    {
                        result[row] = (float)doubles[row * perRow + column];
                    }

                    return result;
                case TensorDatatype.Int64:
                    var longs = output.GetValues<long>();
                    for (var row = 0; row < rows; row++)
                    {
                        result[row] = longs[row * perRow + column];
                    }

                    return result;
                case TensorDatatype.Bool:
                    var bools = output.GetValues<byte>();
                    for (var row = 0; row < rows; row++)
                    {
                        result[row] = bools[row * perRow + column] != 0 ? 1 : 0;
                    }

                    return result;
            }
        }

        return null;
    }
}
