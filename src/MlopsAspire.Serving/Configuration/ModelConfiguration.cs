using MlopsAspire.ModelContracts;

namespace MlopsAspire.Serving.Configuration;

/// <summary>
/// A model's serving configuration, read from the <c>config.json</c> beside its versions (Triton-like fields in
/// snake_case; see <see cref="ModelConfigurationParser"/>). Absent values are computed from the model's signature
/// (<see cref="Batching.BatchingOptions.Resolve"/>) or taken from the server's settings.
/// </summary>
public sealed record ModelConfiguration
{
    /// <summary>Every value absent: defaults computed from the signature, server settings for the session.</summary>
    public static ModelConfiguration Default { get; } = new();

    /// <summary>Where the configuration came from (a file path), named in error messages; null for code-built ones.</summary>
    public string? Source { get; init; }

    /// <summary>Largest batch (rows) of one execution; 0 runs every request alone; null computes it from the signature.</summary>
    public int? MaxBatchSize { get; init; }

    public DynamicBatchingConfiguration DynamicBatching { get; init; } = new();

    /// <summary>
    /// Concurrent executions of the version (Triton's <c>instance_group.count</c>); one session serves them all.
    /// Null: the replica chooses from what warmup measured (<see cref="Planning.ExecutionPlanner"/>).
    /// </summary>
    public int? InstanceCount { get; init; }

    public OptimizationConfiguration Optimization { get; init; } = new();

    /// <summary>Where the session runs; null keeps the server's setting.</summary>
    public ExecutionProvider? ExecutionProvider { get; init; }

    /// <summary>CUDA device ordinal; null keeps the server's setting.</summary>
    public int? DeviceId { get; init; }

    /// <summary>Synthetic runs before the version is reported ready; null warms with batch 1 (and the largest batch when batching).</summary>
    public WarmupConfiguration? Warmup { get; init; }

    /// <summary>Which versions of the model folder are served.</summary>
    public VersionPolicy VersionPolicy { get; init; } = VersionPolicy.Latest(1);

    /// <summary>What the document says about the model itself: task, features, output roles, labels, retraining.</summary>
    public ModelContract Contract { get; init; } = ModelContract.None;

    /// <summary>The server's session settings with this configuration's own values put over them.</summary>
    public OnnxModelOptions ApplyTo(OnnxModelOptions serverOptions)
    {
        var options = serverOptions.Clone();
        if (Optimization.IntraOpThreads is { } intra)
        {
            options.IntraOpThreads = intra;
        }

        if (Optimization.InterOpThreads is { } inter)
        {
            options.InterOpThreads = inter;
        }

        if (Optimization.GraphOptimizationLevel is { } level)
        {
            options.GraphOptimizationLevel = level;
        }

        if (Optimization.EnableCpuMemArena is { } arena)
        {
            options.EnableCpuMemArena = arena;
        }

        if (ExecutionProvider is { } provider)
        {
            options.ExecutionProvider = provider;
        }

        if (DeviceId is { } deviceId)
        {
            options.DeviceId = deviceId;
        }

        return options;
    }
}

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

/// <summary>The <c>optimization</c> section; null values keep the server's setting.</summary>
public sealed record OptimizationConfiguration
{
    public int? IntraOpThreads { get; init; }

    public int? InterOpThreads { get; init; }

    public GraphOptimization? GraphOptimizationLevel { get; init; }

    public bool? EnableCpuMemArena { get; init; }
}

/// <summary>The <c>warmup</c> section: each batch size is run <see cref="Runs"/> times before the version is ready.</summary>
public sealed record WarmupConfiguration
{
    public IReadOnlyList<int> BatchSizes { get; init; } = [1];

    public int Runs { get; init; } = 1;
}
