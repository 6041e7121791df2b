namespace MlopsAspire.Artifacts.Payloads;

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
