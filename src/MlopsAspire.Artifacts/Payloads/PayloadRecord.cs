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
