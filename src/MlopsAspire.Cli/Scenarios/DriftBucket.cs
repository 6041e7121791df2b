namespace MlopsAspire.Cli.Scenarios;

/// <summary>
/// Responses that arrived in [<see cref="Start"/>, <see cref="End"/>) after the run started: their rows' quality overall
/// and per serving version, and the failures in the same span.
/// </summary>
public sealed record DriftBucket(
    TimeSpan Start,
    TimeSpan End,
    long Requests,
    long Rows,
    long Correct,
    long Positives,
    long DriftedRows,
    double Accuracy,
    double Auc,
    IReadOnlyDictionary<string, DriftVersionSlice> Versions,
    IReadOnlyDictionary<string, long> Errors)
{
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>The label pattern of the bucket's rows: original, drifted or mixed (the bucket straddles the switch).</summary>
    public string Concept => Rows == 0 ? "-" : DriftedRows == 0 ? "original" : DriftedRows == Rows ? "drifted" : "mixed";
}
