namespace MlopsAspire.Artifacts.Payloads;

/// <summary>A shadow version's scores for a logged request, joined with that request's labels.</summary>
public sealed record LabelledShadowScores(string ShadowVersion, DateTimeOffset At, float[] Scores, float[] Labels);
