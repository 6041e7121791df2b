namespace MlopsAspire.ModelContracts;

/// <summary>How the ground-truth labels sent as feedback are read.</summary>
public enum LabelEncoding
{
    /// <summary>0 or 1 (any number: 0.5 or more is the positive class).</summary>
    Binary,

    /// <summary>A class name from <c>outputs.classes</c>.</summary>
    ClassName,

    /// <summary>A class index (0-based, in the order of <c>outputs.classes</c> or of the model's score columns).</summary>
    ClassIndex,

    /// <summary>The true value of a regression target.</summary>
    Numeric,
}
