namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// What became of payloads sent to the log: logged; not logged because their request id was already waiting (the
/// first payload stays, and the id is marked ambiguous); not logged because their model's byte budget was spent; not
/// sent because they were over the size limit.
/// </summary>
public readonly record struct PayloadWriteOutcome(int Logged, int Duplicates, int OverBudget, int TooLarge);
