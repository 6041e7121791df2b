namespace MlopsAspire.Serving;

/// <summary>Where a session runs.</summary>
public enum ExecutionProvider
{
    Cpu,

    /// <summary>NVIDIA CUDA; falls back to CPU with a warning when the provider cannot be loaded.</summary>
    Cuda,
}
