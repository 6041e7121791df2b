namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// One logged prediction: which version answered which request, the input rows (row-major, <see cref="FeatureCount"/>
/// values per row) and one score per row.
/// </summary>
public sealed record PayloadRecord(
    string ModelName,
    string ModelVersion,
    string RequestId,
    DateTimeOffset At,
    int FeatureCount,
    float[] Features,
    float[] Scores)
{
    public int RowCount => FeatureCount == 0 ? 0 : Features.Length / FeatureCount;

    /// <summary>What <see cref="PayloadLogOptions.MaxPayloadBytes"/> limits: its features, scores and request id.</summary>
    public int SizeInBytes => SizeOf(Features.Length + Scores.Length, RequestId);

    /// <summary>The <see cref="SizeInBytes"/> of a payload of <paramref name="values"/> features and scores, known before they are copied.</summary>
    public static int SizeOf(int values, string requestId) =>
        (int)Math.Min(int.MaxValue, (long)values * sizeof(float) + System.Text.Encoding.UTF8.GetByteCount(requestId));
}

/// <summary>
/// What became of payloads sent to the log: logged; not logged because their request id was already waiting (the
/// first payload stays, and the id is marked ambiguous); not logged because their model's byte budget was spent; not
/// sent because they were over the size limit.
/// </summary>
public readonly record struct PayloadWriteOutcome(int Logged, int Duplicates, int OverBudget, int TooLarge);

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

/// <summary>A logged prediction joined with the ground truth that arrived for it (one label per row).</summary>
public sealed record LabelledPayload(PayloadRecord Payload, float[] Labels, DateTimeOffset LabelledAt);

/// <summary>Ground truth for one request: one label per row of that request (usually one row).</summary>
public sealed record FeedbackLabel(string RequestId, float[] Labels);

/// <summary>A shadow version's scores for a logged request, joined with that request's labels.</summary>
public sealed record LabelledShadowScores(string ShadowVersion, DateTimeOffset At, float[] Scores, float[] Labels);

/// <summary>
/// What a feedback batch joined: the labelled payloads, the labelled scores of shadow versions that scored the same
/// requests, the request ids with no logged payload, and the labels refused with their reason.
/// </summary>
public sealed record FeedbackJoin(
    IReadOnlyList<LabelledPayload> Joined,
    IReadOnlyList<string> UnknownRequestIds,
    IReadOnlyList<string> Rejected,
    IReadOnlyList<LabelledShadowScores>? ShadowOutcomes = null)
{
    public IReadOnlyList<LabelledShadowScores> Shadows => ShadowOutcomes ?? [];
}
