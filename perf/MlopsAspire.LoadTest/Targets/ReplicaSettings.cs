namespace MlopsAspire.LoadTest.Targets;

/// <summary>How an in-process replica is configured.</summary>
public sealed record ReplicaSettings
{
    /// <summary>Inference:Batching:Enabled; null leaves the replica's default.</summary>
    public bool? Batching { get; init; }

    /// <summary>Inference:IntraOpThreads; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Instances of each model run at once (its config's <c>instance_group.count</c>); null leaves the default of one.</summary>
    public int? Instances { get; init; }

    /// <summary>More configuration as key=value (e.g. Inference:Batching:MaxBatchSize=32).</summary>
    public IReadOnlyList<string> ExtraConfiguration { get; init; } = [];
}
