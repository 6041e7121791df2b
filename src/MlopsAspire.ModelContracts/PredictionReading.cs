namespace MlopsAspire.ModelContracts;

/// <summary>How one prediction per row is read from a response.</summary>
public enum PredictionReading
{
    /// <summary>A numeric output's value: column <see cref="PredictionSource.Column"/> of [N, K], or the value of [N] / [N, 1].</summary>
    Value,

    /// <summary>The index of the largest of a row's K class scores.</summary>
    ArgMax,

    /// <summary>A numeric (or boolean) label output's value: a class index, or 0/1.</summary>
    LabelValue,

    /// <summary>A text label output, read as the index of its name in the classes.</summary>
    LabelName,
}
