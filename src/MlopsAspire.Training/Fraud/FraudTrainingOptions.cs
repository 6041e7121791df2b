namespace MlopsAspire.Training;

/// <summary>Hyperparameters of the FastTree fraud classifier and the seed that makes training reproducible.</summary>
public sealed record FraudTrainingOptions
{
    /// <summary>Seed of ML.NET, the trees and the holdout split.</summary>
    public int Seed { get; init; } = 42;

    public int NumberOfTrees { get; init; } = 100;

    public int NumberOfLeaves { get; init; } = 20;

    public int MinimumExampleCountPerLeaf { get; init; } = 10;

    public double LearningRate { get; init; } = 0.2;
}
