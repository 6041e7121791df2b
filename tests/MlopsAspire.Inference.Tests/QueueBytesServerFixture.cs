namespace MlopsAspire.Inference.Tests;

/// <summary>
/// fraud, plus "wide": an FP32 identity model of 1,024 values per row (4 KiB) whose queue holds at most three rows'
/// bytes and waits an hour for a batch of four, so that what a test queues stays queued until it cancels it.
/// </summary>
public sealed class QueueBytesServerFixture : InferenceServerFixture
{
    public const int Width = 1024;
    public const int RowBytes = Width * sizeof(float);
    public const long MaxQueueBytes = 3 * RowBytes;

    protected override void WriteModels()
    {
        WriteModel("fraud", "1", FraudServerFixture.SharedFraud.OnnxModel);
        WriteModel("wide", "1", IdentityModels.Create(elementType: 1, "x", "y", [-1, Width]));
        WriteConfig("wide", $$"""
            { "max_batch_size": 4, "dynamic_batching": { "max_queue_delay_microseconds": 3600000000, "max_queue_bytes": {{MaxQueueBytes}} } }
            """);
    }
}
