namespace MlopsAspire.Artifacts.Payloads;

/// <summary>Limits of the payload log: how many entries a model keeps and how long a payload waits for its label.</summary>
public sealed class PayloadLogOptions
{
    public string KeyPrefix { get; set; } = "mlops:payloads:";

    /// <summary>Labelled rows kept per model (the training window of retraining), newest first.</summary>
    public int MaxLabelledEntries { get; set; } = 200_000;

    /// <summary>Logged payloads kept per model while they wait for ground truth.</summary>
    public int MaxPendingEntries { get; set; } = 200_000;

    /// <summary>How long a logged payload can still be joined with its label.</summary>
    public TimeSpan JoinWindow { get; set; } = TimeSpan.FromDays(1);

    public void Validate()
    {
        if (MaxLabelledEntries < 1 || MaxPendingEntries < 1)
        {
            throw new ArgumentException("payload log capacities must be at least 1");
        }

        if (JoinWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the join window must be positive; got {JoinWindow}");
        }
    }
}
