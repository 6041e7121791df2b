namespace MlopsAspire.ModelContracts;

/// <summary>What a model predicts; it decides which live metrics, prediction profile and trainers apply.</summary>
public enum ModelTask
{
    /// <summary>Anything else (embeddings, detection, ...): served and monitored by traffic and inputs only.</summary>
    Other,

    /// <summary>One probability (or score) of the positive class per row; labels are 0 or 1.</summary>
    BinaryClassification,

    /// <summary>One of several classes per row; labels are class names or indices.</summary>
    MulticlassClassification,

    /// <summary>A number per row; labels are the true values.</summary>
    Regression,
}
