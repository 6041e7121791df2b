namespace MlopsAspire.Serving;

/// <summary>How ONNX Runtime sessions are created.</summary>
public sealed class OnnxModelOptions
{
    /// <summary>Threads one Run may use; 0 lets ONNX Runtime pick (one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads for running independent graph branches; 0 lets ONNX Runtime pick.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>
    /// Whether idle ONNX Runtime threads spin. Off by default: on shared machines spinning steals the cores
    /// that other requests need and throughput collapses under contention.
    /// </summary>
    public bool AllowSpinning { get; set; }

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal when <see cref="ExecutionProvider"/> is CUDA.</summary>
    public int DeviceId { get; set; }

    /// <summary>Graph optimisations applied at session creation; all by default.</summary>
    public GraphOptimization GraphOptimizationLevel { get; set; } = GraphOptimization.All;

    /// <summary>
    /// Whether the CPU allocator keeps an arena. On by default (fewer allocations per Run); off trades speed for a
    /// smaller resident footprint with many loaded versions.
    /// </summary>
    public bool EnableCpuMemArena { get; set; } = true;

    public OnnxModelOptions Clone() => (OnnxModelOptions)MemberwiseClone();
}
