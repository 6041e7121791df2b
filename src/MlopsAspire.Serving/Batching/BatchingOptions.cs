using MlopsAspire.Serving.Configuration;

namespace MlopsAspire.Serving.Batching;

/// <summary>How a <see cref="DynamicBatcher"/> queues and batches the requests of one model version.</summary>
public sealed record BatchingOptions
{
    /// <summary>Rows per execution above which a model's inputs count as large (a batch of images rather than of table rows).</summary>
    public const int LargeRowBytes = 64 * 1024;

    public const int SmallRowMaxBatchSize = 64;

    public const int LargeRowMaxBatchSize = 8;

    /// <summary>Default queue length per unit of <see cref="MaxBatchSize"/>.</summary>
    public const int QueueSizePerBatchRow = 1024;

    /// <summary>Largest batch (rows) of one execution; 0 runs every request alone (still queued, for priorities and timeouts).</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>
    /// How long the oldest queued request may wait for a fuller batch; zero is greedy (run what is queued now, no
    /// timer). The wait is a timer, so delays below the timer resolution (about a millisecond) wait about that long.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; init; }

    /// <summary>Batch sizes formed as soon as the queue holds them, in ascending order.</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    /// <summary>Most requests waiting; more are rejected with <see cref="InferenceErrorKind.ResourceExhausted"/>.</summary>
    public int MaxQueueSize { get; init; } = QueueSizePerBatchRow;

    /// <summary>
    /// Most bytes of input tensors waiting (<see cref="PreparedInputs.ByteLength"/> summed over queued requests); a
    /// request that would take the queue past it is rejected with <see cref="InferenceErrorKind.ResourceExhausted"/>.
    /// A count alone does not bound memory: 1,024 queued rows of a table model are kilobytes, of images gigabytes.
    /// </summary>
    public long MaxQueueBytes { get; init; } = DefaultMaxQueueBytes;

    /// <summary>Timeout of requests that do not set one; null is none.</summary>
    public TimeSpan? DefaultTimeout { get; init; }

    /// <summary>Priority levels, 1 the highest.</summary>
    public int PriorityLevels { get; init; } = 1;

    /// <summary>Level of requests that do not set one.</summary>
    public int DefaultPriorityLevel { get; init; } = 1;

    /// <summary>Adaptive mode: reject requests predicted to take longer than this (arrival to response); null never sheds.</summary>
    public TimeSpan? LatencyObjective { get; init; }

    /// <summary>Concurrent executions of the version.</summary>
    public int InstanceCount { get; init; } = 1;

    /// <summary>
    /// An eighth of the memory this process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the
    /// machine's memory, or the container's limit when there is one). The queue holds request tensors only; the
    /// rest of the process needs the remainder: sessions and their arenas, the batch copies of inputs and outputs,
    /// requests being read and answered, the garbage collector's headroom, and the queues of other models (all of
    /// which together a replica-wide budget also bounds). An eighth of a 2 GiB container still queues over 400
    /// ResNet-18 images, several seconds of work for a CPU replica: a queue longer than callers wait buys nothing.
    /// </summary>
    public static long DefaultMaxQueueBytes { get; } = Math.Max(MinimumDefaultQueueBytes, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8);

    /// <summary>Floor of the defaults, for machines that report implausibly little memory.</summary>
    private const long MinimumDefaultQueueBytes = 64L * 1024 * 1024;

    /// <summary>Whether requests are concatenated into batches (else each runs alone).</summary>
    public bool IsBatching => MaxBatchSize > 0;

    /// <summary>
    /// A model can be batched when every input and output has a dynamic first dimension (requests are concatenated
    /// along it) and none is BYTES (string tensors cannot be concatenated by copying spans).
    /// </summary>
    public static bool IsBatchable(ModelSignature signature) =>
        signature.Inputs.Count > 0
        && signature.Inputs.Concat(signature.Outputs).All(spec => spec.Shape.Length > 0 && spec.Shape[0] < 0 && spec.Datatype != TensorDatatype.Bytes);

    /// <summary>Bytes of one row of every input together, or null when a dimension after the first is dynamic.</summary>
    public static long? RowBytes(ModelSignature signature)
    {
        long total = 0;
        foreach (var input in signature.Inputs)
        {
            long row = input.Datatype.ElementSize();
            for (var i = 1; i < input.Shape.Length; i++)
            {
                if (input.Shape[i] < 0)
                {
                    return null;
                }

                row *= input.Shape[i];
            }

            total += row;
        }

        return total;
    }

    /// <summary>
    /// The batch size used when the configuration sets none: 64 for rows under 64 KiB, 8 for large rows (images,
    /// or rows whose size is not known until requests arrive), 0 when the model cannot be batched.
    /// </summary>
    public static int DefaultMaxBatchSize(ModelSignature signature) =>
        !IsBatchable(signature) ? 0
        : RowBytes(signature) is { } bytes && bytes < LargeRowBytes ? SmallRowMaxBatchSize
        : LargeRowMaxBatchSize;

    /// <summary>
    /// Resolves a configuration against a model's signature, computing what it leaves out.
    /// Throws <see cref="ModelConfigurationException"/> when it asks for batching the model cannot do.
    /// </summary>
    public static BatchingOptions Resolve(ModelConfiguration configuration, ModelSignature signature)
    {
        var source = configuration.Source ?? "model configuration";
        var batchable = IsBatchable(signature);
        int maxBatchSize;
        if (configuration.MaxBatchSize is { } configured)
        {
            if (configured > 0 && !batchable)
            {
                throw new ModelConfigurationException(
                    $"{source}: 'max_batch_size' must be 0 for this model; got {configured}. Batching needs a dynamic first dimension on every input and output and no BYTES tensors ({DescribeSignature(signature)})");
            }

            maxBatchSize = configured;
        }
        else
        {
            maxBatchSize = DefaultMaxBatchSize(signature);
        }

        var dynamic = configuration.DynamicBatching;
        foreach (var preferred in dynamic.PreferredBatchSizes)
        {
            if (preferred > maxBatchSize)
            {
                throw new ModelConfigurationException(
                    $"{source}: 'dynamic_batching.preferred_batch_size' must hold sizes from 1 to max_batch_size ({maxBatchSize}); got {preferred}");
            }
        }

        var levels = Math.Max(1, dynamic.PriorityLevels);
        if (dynamic.DefaultPriorityLevel > levels)
        {
            throw new ModelConfigurationException(
                $"{source}: 'dynamic_batching.default_priority_level' must be from 1 to priority_levels ({levels}); got {dynamic.DefaultPriorityLevel}");
        }

        return new BatchingOptions
        {
            MaxBatchSize = maxBatchSize,
            MaxQueueDelay = TimeSpan.FromMicroseconds(dynamic.MaxQueueDelayMicroseconds),
            PreferredBatchSizes = [.. dynamic.PreferredBatchSizes.Distinct().Order()],
            MaxQueueSize = dynamic.MaxQueueSize ?? (int)Math.Min(int.MaxValue, (long)QueueSizePerBatchRow * Math.Max(1, maxBatchSize)),
            MaxQueueBytes = dynamic.MaxQueueBytes ?? DefaultMaxQueueBytes,
            DefaultTimeout = dynamic.DefaultTimeoutMicroseconds > 0 ? TimeSpan.FromMicroseconds(dynamic.DefaultTimeoutMicroseconds) : null,
            PriorityLevels = levels,
            // Triton's default level when none is configured is the lowest one.
            DefaultPriorityLevel = dynamic.DefaultPriorityLevel > 0 ? dynamic.DefaultPriorityLevel : levels,
            LatencyObjective = dynamic.LatencyObjectiveMs is { } objective ? TimeSpan.FromMilliseconds(objective) : null,
            InstanceCount = Math.Max(1, configuration.InstanceCount ?? 1),
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the options are inconsistent or do not fit the model.</summary>
    public void Validate(ModelSignature signature)
    {
        if (MaxBatchSize < 0 || MaxQueueSize < 1 || MaxQueueBytes < 1 || PriorityLevels < 1 || InstanceCount < 1 || MaxQueueDelay < TimeSpan.Zero)
        {
            throw new ArgumentException(
                "max batch size must be at least 0, max queue size, max queue bytes, priority levels and instance count at least 1, and the queue delay not negative");
        }

        if (DefaultPriorityLevel < 1 || DefaultPriorityLevel > PriorityLevels)
        {
            throw new ArgumentException($"default priority level {DefaultPriorityLevel} is outside 1..{PriorityLevels}");
        }

        if (MaxBatchSize > 0 && !IsBatchable(signature))
        {
            throw new ArgumentException($"the model cannot be batched ({DescribeSignature(signature)}); set the max batch size to 0");
        }

        if (PreferredBatchSizes.Any(size => size < 1 || size > MaxBatchSize))
        {
            throw new ArgumentException($"preferred batch sizes must be from 1 to the max batch size {MaxBatchSize}");
        }
    }

    private static string DescribeSignature(ModelSignature signature) =>
        string.Join("; ", signature.Inputs.Concat(signature.Outputs).Select(spec => spec.ToString()));
}
