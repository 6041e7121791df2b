
namespace MlopsAspire.Serving.Configuration;

/// <summary>The <c>dynamic_batching</c> section.</summary>
public sealed record DynamicBatchingConfiguration
{
    /// <summary>How long the oldest queued request may wait for a fuller batch; 0 is greedy (take what is queued now).</summary>
    public long MaxQueueDelayMicroseconds { get; init; }

    /// <summary>Batch sizes to form when possible, each at most the max batch size.</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    /// <summary>Most requests waiting; null is 1024 × max batch size.</summary>
    public int? MaxQueueSize { get; init; }

    /// <summary>
    /// Most bytes of input tensors waiting; null is <see cref="Batching.BatchingOptions.DefaultMaxQueueBytes"/>, an
    /// eighth of the memory this process may use.
    /// </summary>
    public long? MaxQueueBytes { get; init; }

    /// <summary>Timeout of requests that do not set one; 0 is none.</summary>
    public long DefaultTimeoutMicroseconds { get; init; }

    /// <summary>Number of priority levels (1 is the highest); 0 is one level.</summary>
    public int PriorityLevels { get; init; }

    /// <summary>Level of requests that do not set one; 0 is the lowest level.</summary>
    public int DefaultPriorityLevel { get; init; }

    /// <summary>
    /// Adaptive mode: the latency a request should get, in milliseconds. Requests predicted to miss it are
    /// rejected on arrival; null turns shedding off.
    /// </summary>
    public double? LatencyObjectiveMs { get; init; }
}
