using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Tabular;

namespace MlopsAspire.Training.Trainers;

/// <summary>What a trainer is given: the training rows (never the holdout), the contract, and the parent.</summary>
/// <param name="ClassCount">For multiclass classification, the number of classes (labels are 0 to ClassCount - 1); 0 otherwise.</param>
public sealed record TrainerRequest(
    ModelContract Contract,
    LabelledRows Rows,
    int ClassCount,
    byte[] ParentOnnxModel,
    int Seed)
{
    public ModelTask Task => Contract.Task ?? ModelTask.Other;

    public TrainingContract Training => Contract.Training ?? throw new InvalidOperationException("the contract has no training section");

    /// <summary>The column names of the one tabular input, in order.</summary>
    public IReadOnlyList<string> FeatureNames => Contract.Inputs[0].Features;
}
