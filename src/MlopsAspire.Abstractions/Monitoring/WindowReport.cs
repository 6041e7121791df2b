namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>One judged window of a model version.</summary>
[GenerateSerializer, Immutable]
public sealed record WindowReport(
    [property: Id(0)] DateTimeOffset WindowStart,
    [property: Id(1)] long RequestCount,
    [property: Id(2)] long RowCount,
    [property: Id(3)] double ErrorRate,
    [property: Id(4)] double P50Milliseconds,
    [property: Id(5)] double P99Milliseconds,
    [property: Id(6)] long NonFiniteInputs,
    [property: Id(7)] long OutOfRangeInputs,
    [property: Id(8)] IReadOnlyList<FeatureDriftData> Features,
    [property: Id(9)] IReadOnlyList<FeatureDriftData> Predictions,
    [property: Id(10)] IReadOnlyDictionary<string, ShadowComparisonData> Shadows,
    [property: Id(11)] string Severity,
    [property: Id(12)] long LabelledRows = 0,
    [property: Id(13)] double Accuracy = double.NaN,
    [property: Id(14)] double Auc = double.NaN,
    [property: Id(15)] double LogLoss = double.NaN,
    [property: Id(16)] double MacroF1 = double.NaN,
    [property: Id(17)] double MeanAbsoluteError = double.NaN,
    [property: Id(18)] double RootMeanSquaredError = double.NaN)
{
    /// <summary>The severity of a window with too few rows to be judged: no drift metric, no alert change.</summary>
    public const string InsufficientData = "InsufficientData";

    public bool IsInsufficient => Severity == InsufficientData;
}
