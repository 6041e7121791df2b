namespace MlopsAspire.Artifacts.Payloads;

/// <summary>Ground truth for one request: one label per row of that request (usually one row).</summary>
public sealed record FeedbackLabel(string RequestId, float[] Labels);
