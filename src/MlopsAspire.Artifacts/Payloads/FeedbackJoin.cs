namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// What a feedback batch joined: the labelled payloads, the labelled scores of shadow versions that scored the same
/// requests, the request ids with no logged payload, the request ids whose same label was joined before (a label sent
/// again), and the labels refused with their reason.
/// </summary>
public sealed record FeedbackJoin(
    IReadOnlyList<LabelledPayload> Joined,
    IReadOnlyList<string> UnknownRequestIds,
    IReadOnlyList<string> AlreadyLabelledRequestIds,
    IReadOnlyList<string> Rejected,
    IReadOnlyList<LabelledShadowScores>? ShadowOutcomes = null)
{
    public IReadOnlyList<LabelledShadowScores> Shadows => ShadowOutcomes ?? [];
}
