using Microsoft.ML.Data;

namespace MlopsAspire.Training;

/// <summary>Model input as ML.NET sees it: the exported ONNX graph has exactly this one input.</summary>
internal sealed class FraudFeatureVector
{
    [VectorType(FraudFeatures.Count)]
    public float[] Features { get; set; } = [];
}

/// <summary>Training and evaluation row.</summary>
internal sealed class LabelledFraudFeatureVector
{
    [VectorType(FraudFeatures.Count)]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }

    public static LabelledFraudFeatureVector From(FraudTransaction transaction)
    {
        if (transaction.Features.Length != FraudFeatures.Count)
        {
            throw new ArgumentException(
                $"A fraud transaction has {FraudFeatures.Count} features; got {transaction.Features.Length}.", nameof(transaction));
        }

        return new LabelledFraudFeatureVector { Features = transaction.Features, Label = transaction.IsFraud };
    }
}

/// <summary>Outputs of the calibrated binary classifier.</summary>
internal sealed class FraudPrediction
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}
