
namespace MlopsAspire.Serving.Configuration;

/// <summary>The <c>optimization</c> section; null values keep the server's setting.</summary>
public sealed record OptimizationConfiguration
{
    public int? IntraOpThreads { get; init; }

    public int? InterOpThreads { get; init; }

    public GraphOptimization? GraphOptimizationLevel { get; init; }

    public bool? EnableCpuMemArena { get; init; }
}
