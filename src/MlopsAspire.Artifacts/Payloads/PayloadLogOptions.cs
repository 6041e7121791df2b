namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// Limits of the payload log: how many entries and bytes a model keeps, how large one payload may be, and how long a
/// payload waits for its label.
/// </summary>
public sealed class PayloadLogOptions
{
    public string KeyPrefix { get; set; } = "mlops:payloads:";

    /// <summary>Labelled rows kept per model (the training window of retraining), newest first.</summary>
    public int MaxLabelledEntries { get; set; } = 200_000;

    /// <summary>
    /// Logged payloads kept per model while they wait for ground truth (about: the payload log shortens a model's
    /// join window while it is logged faster than this many per join window, so the store never fills up).
    /// </summary>
    public int MaxPendingEntries { get; set; } = 200_000;

    /// <summary>How long a logged payload can still be joined with its label (shorter at high rates, see <see cref="MaxPendingEntries"/>).</summary>
    public TimeSpan JoinWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Largest payload logged, in bytes of its features and scores (4 per value); a larger one is served but not
    /// logged, and counted.
    /// </summary>
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Bytes of payloads a model may have waiting for their labels, shared by every writer and enforced by the store;
    /// beyond it new payloads are served but not logged, and counted, until waiting ones are joined or expire. The
    /// default holds <see cref="MaxPendingEntries"/> payloads of about 330 bytes stored (a row of about 50 features, its key and request id).
    /// </summary>
    public long MaxBytesPerModel { get; set; } = 64L * 1024 * 1024;

    /// <summary>Payloads a <see cref="PayloadLogWriter"/> holds waiting for the store; beyond it new ones are dropped and counted.</summary>
    public int WriterQueueCapacity { get; set; } = 8192;

    /// <summary>Payloads a <see cref="PayloadLogWriter"/> sends in one pipelined round trip.</summary>
    public int WriterMaxBatch { get; set; } = 256;

    /// <summary>
    /// How long a <see cref="PayloadLogWriter"/> lets payloads gather before sending them (unless a full batch is
    /// already queued): one wake-up per window instead of one per payload, which is most of the writer's cost.
    /// </summary>
    public TimeSpan WriterBatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long disposing a <see cref="PayloadLogWriter"/> waits for the queued payloads to reach the store.</summary>
    public TimeSpan WriterFlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (MaxLabelledEntries < 1 || MaxPendingEntries < 1)
        {
            throw new ArgumentException("payload log capacities must be at least 1");
        }

        if (MaxPayloadBytes < 1 || MaxBytesPerModel < 1)
        {
            throw new ArgumentException($"the payload size limit and the per-model byte budget must be at least 1 byte; got {MaxPayloadBytes} and {MaxBytesPerModel}");
        }

        if (JoinWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the join window must be positive; got {JoinWindow}");
        }

        if (WriterQueueCapacity < 1 || WriterMaxBatch < 1 || WriterBatchWindow < TimeSpan.Zero)
        {
            throw new ArgumentException("the payload writer's queue capacity and batch size must be at least 1, its batch window not negative");
        }
    }
}
