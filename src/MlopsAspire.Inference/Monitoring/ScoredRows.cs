using System.Runtime.InteropServices;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// The tabular view monitoring takes of a request: its first input as rows of FP32 features, the score per row
/// (a probability or score output of one value per row) and the predicted label per row when the model has one.
/// Models that do not fit (images, several values per row) are monitored by counts and latency only.
/// </summary>
public sealed class ScoredRows
{
    private static readonly string[] ScoreOutputNames = ["Probability.output", "probability", "probabilities", "Score.output", "score"];
    private static readonly string[] LabelOutputNames = ["PredictedLabel.output", "label", "predicted_label"];

    /// <summary>Rows above this many features are not profiled (an image is not a feature vector).</summary>
    public const int MaxFeatures = 1024;

    private ScoredRows(int rows, int featureCount, float[] features, float[] scores, float[]? labels)
    {
        Rows = rows;
        FeatureCount = featureCount;
        Features = features;
        Scores = scores;
        Labels = labels;
    }

    public int Rows { get; }

    public int FeatureCount { get; }

    /// <summary>Row-major features (copied: the request's buffers do not outlive it); empty when not tabular.</summary>
    public float[] Features { get; }

    public float[] Scores { get; }

    public float[]? Labels { get; }

    /// <summary>Reads what it can; never throws (monitoring must not fail a request).</summary>
    public static ScoredRows From(InferenceRequest request, InferenceResponse response)
    {
        var rows = 1;
        var featureCount = 0;
        var features = Array.Empty<float>();
        if (request.Inputs.Count > 0 && request.Inputs[0] is { Datatype: "FP32", Shape.Count: 2 } input
            && input.Shape[1] is > 0 and <= MaxFeatures && input.Shape[0] >= 0)
        {
            rows = (int)input.Shape[0];
            featureCount = (int)input.Shape[1];
            features = ReadFloats(input.Data, rows * featureCount);
            if (features.Length != rows * featureCount)
            {
                features = [];
                featureCount = 0;
            }
        }
        else if (request.Inputs.Count > 0 && request.Inputs[0].Shape.Count > 0)
        {
            rows = (int)Math.Max(1, request.Inputs[0].Shape[0]);
        }

        var scores = ReadPerRow(response, ScoreOutputNames, rows, preferLastColumn: true) ?? [];
        var labels = ReadPerRow(response, LabelOutputNames, rows, preferLastColumn: false);
        return new ScoredRows(rows, featureCount, features, scores, labels);
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
                var copy = new float[floats.Count];
                for (var i = 0; i < copy.Length; i++)
                {
                    copy[i] = floats[i];
                }

                data = TensorData.Raw(MemoryMarshal.AsBytes(copy.AsSpan()).ToArray());
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

    private static float[] ReadFloats(TensorData data, int count)
    {
        if (data.IsRaw)
        {
            var span = data.RawBytes.Span;
            return span.Length == count * sizeof(float) ? MemoryMarshal.Cast<byte, float>(span).ToArray() : [];
        }

        if (data.Values is IReadOnlyList<float> values && values.Count == count)
        {
            var copy = new float[count];
            for (var i = 0; i < count; i++)
            {
                copy[i] = values[i];
            }

            return copy;
        }

        return [];
    }

    private static float[]? ReadPerRow(InferenceResponse response, string[] names, int rows, bool preferLastColumn)
    {
        foreach (var name in names)
        {
            if (response.FindOutput(name) is not { } output || output.ElementCount == 0 || output.ElementCount % rows != 0)
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
