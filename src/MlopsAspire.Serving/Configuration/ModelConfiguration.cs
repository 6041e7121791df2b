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
