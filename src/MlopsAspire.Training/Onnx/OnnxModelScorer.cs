using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Onnx;

/// <summary>
/// Runs an ONNX model in ONNX Runtime on tabular rows and reads one prediction per row the way monitoring reads it
/// (<see cref="PredictionSource"/>): the score column, the class with the highest score, or the label. Parent and
/// candidate are scored by the same code, so their metrics compare like with like.
/// </summary>
public sealed class OnnxModelScorer : IDisposable
{
    private const int ChunkRows = 8192;
    private readonly InferenceSession _session;

    private OnnxModelScorer(InferenceSession session)
    {
        _session = session;
        Inputs = [.. session.InputMetadata.Select(pair => Describe(pair.Key, pair.Value)
            ?? throw new NotSupportedException(
                $"model input '{pair.Key}' is a {pair.Value.OnnxValueType} of {pair.Value.ElementDataType}; only tensors of protocol datatypes can be served"))];
        Outputs = [.. session.OutputMetadata.Select(pair => Describe(pair.Key, pair.Value)).OfType<TensorDescription>()];
    }

    public IReadOnlyList<TensorDescription> Inputs { get; }

    public IReadOnlyList<TensorDescription> Outputs { get; }

    /// <summary>Loads <paramref name="onnxModel"/>; a file ONNX Runtime refuses fails with <paramref name="what"/> and its error.</summary>
    public static OnnxModelScorer Load(byte[] onnxModel, string what)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        InferenceSession? session = null;
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            session = new InferenceSession(onnxModel, options);
            return new OnnxModelScorer(session);
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            session?.Dispose();
            throw new TrainingFailedException($"{what} is not a model ONNX Runtime can load: {FirstLine(exception.Message)}");
        }
    }

    /// <summary>
    /// Runs <paramref name="rowCount"/> rows through <paramref name="inputName"/> and reads <paramref name="source"/>:
    /// one prediction per row (a score, a class index, or a value), and every value of the source output per row.
    /// </summary>
    public RowPredictions Score(string inputName, float[] features, int rowCount, PredictionSource source, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(source);
        var input = Inputs.FirstOrDefault(tensor => tensor.Name == inputName)
            ?? throw new TrainingFailedException($"the model has no input '{inputName}'; its inputs are {string.Join("; ", Inputs)}");
        var featureCount = rowCount == 0 ? 0 : features.Length / rowCount;
        var chunk = input.Shape[0] > 0 ? (int)input.Shape[0] : ChunkRows;
        var predictions = new float[rowCount];
        var values = new List<float>();
        var width = 0;
        for (var start = 0; start < rowCount; start += chunk)
        {
            var rows = Math.Min(chunk, rowCount - start);
            // A model with a fixed batch size gets full batches: the last one is padded, and the padding dropped.
            var fed = input.Shape[0] > 0 ? chunk : rows;
            var batch = new float[fed * featureCount];
            features.AsSpan(start * featureCount, rows * featureCount).CopyTo(batch);
            using var tensor = OrtValue.CreateTensorValueFromMemory(batch, [fed, featureCount]);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, [inputName], [tensor], [source.Output]);
            var (rowValues, rowWidth) = Read(outputs[0], fed, source, classes);
            width = rowWidth;
            values.AddRange(rowValues.AsSpan(0, rows * rowWidth));
            for (var row = 0; row < rows; row++)
            {
                predictions[start + row] = Predict(rowValues.AsSpan(row * rowWidth, rowWidth), source);
            }
        }

        return new RowPredictions(predictions, [.. values], width);
    }

    public void Dispose() => _session.Dispose();

    private static float Predict(ReadOnlySpan<float> row, PredictionSource source) => source.Reading switch
    {
        PredictionReading.ArgMax => ArgMax(row),
        PredictionReading.Value => row[Math.Min(source.Column, row.Length - 1)],
        _ => row[0],
    };

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            best = row[i] > row[best] ? i : best;
        }

        return best;
    }

    /// <summary>The output's values as floats, row by row; text labels become their class index (-1 when unknown).</summary>
    private static (float[] Values, int Width) Read(OrtValue output, int rows, PredictionSource source, IReadOnlyList<string> classes)
    {
        var info = output.GetTensorTypeAndShape();
        var count = (int)info.ElementCount;
        if (rows == 0 || count % rows != 0)
        {
            throw new TrainingFailedException($"output '{source.Output}' returned {count} values for {rows} rows");
        }

        var values = info.ElementDataType switch
        {
            TensorElementType.Float => output.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => [.. output.GetTensorDataAsSpan<double>().ToArray().Select(value => (float)value)],
            TensorElementType.Int64 => [.. output.GetTensorDataAsSpan<long>().ToArray().Select(value => (float)value)],
            TensorElementType.Int32 => [.. output.GetTensorDataAsSpan<int>().ToArray().Select(value => (float)value)],
            TensorElementType.UInt32 => [.. output.GetTensorDataAsSpan<uint>().ToArray().Select(value => (float)value)],
            TensorElementType.Bool => [.. output.GetTensorDataAsSpan<bool>().ToArray().Select(value => value ? 1f : 0f)],
            TensorElementType.String => [.. output.GetStringTensorAsArray().Select(name => (float)IndexOf(classes, name))],
            _ => throw new TrainingFailedException($"output '{source.Output}' holds {info.ElementDataType}, which cannot be read as a prediction"),
        };
        return (values, count / rows);
    }

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A tensor of a protocol datatype as a replica describes it, with -1 for a symbolic or unknown dimension; null for
    /// anything else (a replica does not serve such an output either).
    /// </summary>
    private static TensorDescription? Describe(string name, NodeMetadata metadata) =>
        metadata.IsTensor && OnnxElementTypes.TryToDatatype((int)metadata.ElementDataType, out var datatype)
            ? new TensorDescription(name, datatype, [.. metadata.Dimensions.Select(dimension => dimension > 0 ? (long)dimension : -1L)])
            : null;

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
