namespace MlopsAspire.Artifacts.Payloads;

/// <summary>A logged prediction joined with the ground truth that arrived for it (one label per row).</summary>
public sealed record LabelledPayload(PayloadRecord Payload, float[] Labels, DateTimeOffset LabelledAt);
