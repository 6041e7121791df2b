using System.Collections.Concurrent;
using Microsoft.ML;

namespace MlopsAspire.Training;

/// <summary>
/// A trained fraud classifier: its ONNX export for serving, its holdout quality, and an in-process
/// ML.NET predictor that the ONNX export reproduces.
/// </summary>
public sealed class TrainedFraudModel
{
    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly object _evaluationGate = new();

    // Prediction engines are not thread-safe; each caller rents one and returns it.
    private readonly ConcurrentBag<PredictionEngine<FraudFeatureVector, FraudPrediction>> _engines = [];

    internal TrainedFraudModel(MLContext mlContext, ITransformer model, byte[] onnxModel, FraudTrainingOptions options)
    {
        _mlContext = mlContext;
        _model = model;
        OnnxModel = onnxModel;
        Options = options;
    }

    /// <summary>
    /// The model in ONNX format: input "Features" FP32 [-1, <see cref="FraudFeatures.Count"/>]; outputs
    /// "PredictedLabel.output", "Score.output" and "Probability.output" (each [-1, 1]) and "Features.output".
    /// The array is shared: do not modify it.
    /// </summary>
    public byte[] OnnxModel { get; }

    /// <summary>Quality on the 20% of the training rows that were held out of training.</summary>
    public FraudModelMetrics HoldoutMetrics { get; internal set; } = null!;

    public FraudTrainingOptions Options { get; }

    /// <summary>Calibrated probability that the transaction is fraud. Safe to call from many threads.</summary>
    public float PredictProbability(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length != FraudFeatures.Count)
        {
            throw new ArgumentException($"Expected {FraudFeatures.Count} features; got {features.Length}.", nameof(features));
        }

        if (!_engines.TryTake(out var engine))
        {
            lock (_evaluationGate)
            {
                engine = _mlContext.Model.CreatePredictionEngine<FraudFeatureVector, FraudPrediction>(_model);
            }
        }

        try
        {
            return engine.Predict(new FraudFeatureVector { Features = features }).Probability;
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    /// <summary>Quality on labelled rows; they must contain both fraud and legitimate transactions.</summary>
    public FraudModelMetrics Evaluate(IReadOnlyList<FraudTransaction> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Evaluate(rows.Select(LabelledFraudFeatureVector.From).ToList());
    }

    internal FraudModelMetrics Evaluate(List<LabelledFraudFeatureVector> labelled)
    {
        if (labelled.All(r => r.Label) || labelled.All(r => !r.Label))
        {
            throw new ArgumentException("Evaluation rows must contain both fraud and legitimate transactions.", "rows");
        }

        lock (_evaluationGate)
        {
            var scored = _model.Transform(_mlContext.Data.LoadFromEnumerable(labelled));
            var metrics = _mlContext.BinaryClassification.Evaluate(scored);
            return new FraudModelMetrics(metrics.AreaUnderRocCurve, metrics.Accuracy, metrics.LogLoss, metrics.F1Score, labelled.Count);
        }
    }
}
