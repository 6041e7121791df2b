
namespace MlopsAspire.Training.Onnx;

/// <summary>One prediction per row, and the <see cref="Width"/> values per row of the output it was read from.</summary>
public sealed record RowPredictions(float[] Predictions, float[] Values, int Width);
