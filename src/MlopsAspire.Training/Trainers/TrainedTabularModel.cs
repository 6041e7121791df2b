using Microsoft.ML;
using Microsoft.ML.Data;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.Training.Trainers;

/// <summary>
/// A model an ML.NET trainer fitted: its ONNX export as ML.NET writes it (input "Features"; outputs such as
/// "Probability.output" and "Score.output") and an in-process predictor that the export reproduces. Safe to use from
/// many threads.
/// </summary>
public sealed class TrainedTabularModel : ITabularPredictor
{
    private readonly MLContext _context;
    private readonly ITransformer _model;
    private readonly TabularSchema _schema;
    private readonly Lock _gate = new();

    internal TrainedTabularModel(MLContext context, ITransformer model, TabularSchema schema, byte[] onnxModel, double parityTolerance)
    {
        _context = context;
        _model = model;
        _schema = schema;
        OnnxModel = onnxModel;
        ParityTolerance = parityTolerance;
    }

    public double ParityTolerance { get; }

    /// <summary>The ONNX export as ML.NET writes it. The array is shared: do not modify it.</summary>
    public byte[] OnnxModel { get; }

    public int FeatureCount => _schema.FeatureCount;

    public int ValuesPerRow => _schema.Task == ModelTask.MulticlassClassification ? _schema.ClassCount : 1;

    /// <summary>The probability of the positive class, the class scores, or the regression value of one row.</summary>
    public float[] Predict(float[] features) => Predict(features, 1);

    public float[] Predict(float[] features, int rowCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length != (long)rowCount * FeatureCount)
        {
            throw new ArgumentException($"{rowCount} row(s) need {rowCount * (long)FeatureCount} features; got {features.Length}", nameof(features));
        }

        lock (_gate)
        {
            var scored = _model.Transform(_schema.LoadFeatures(_context, features, rowCount));
            return _schema.Task switch
            {
                ModelTask.BinaryClassification => [.. scored.GetColumn<float>("Probability")],
                ModelTask.MulticlassClassification => [.. scored.GetColumn<VBuffer<float>>("Score").SelectMany(scores => scores.DenseValues())],
                _ => [.. scored.GetColumn<float>("Score")],
            };
        }
    }
}
