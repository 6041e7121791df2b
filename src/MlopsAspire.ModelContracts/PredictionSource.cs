namespace MlopsAspire.ModelContracts;

/// <summary>Where the prediction of each row comes from.</summary>
public sealed record PredictionSource(string Output, PredictionReading Reading, int Column = 0);
