namespace MlopsAspire.Cli.Scenarios;

/// <summary>The rows of one bucket that one model version answered.</summary>
public sealed record DriftVersionSlice(string Version, long Rows, long Correct, double Accuracy, double Auc);
