namespace MlopsAspire.Artifacts.Payloads;

/// <summary>A shadow version's scores for a request whose production payload was logged (one score per row).</summary>
/// <param name="PayloadAt">The <see cref="PayloadRecord.At"/> of production's payload for the request: the join finds the scores by it.</param>
/// <param name="At">When the shadow scored the request.</param>
public sealed record ShadowScoreRecord(
    string ModelName,
    string ShadowVersion,
    string RequestId,
    DateTimeOffset PayloadAt,
    DateTimeOffset At,
    float[] Scores);
