namespace MlopsAspire.ModelContracts;

/// <summary>An output read as the score: its name and, for an <c>[N, K]</c> output, which column.</summary>
public sealed record ScoreOutput(string Name, int? Column = null);
