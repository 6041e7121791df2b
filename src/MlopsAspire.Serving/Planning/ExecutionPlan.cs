namespace MlopsAspire.Serving.Planning;

/// <summary>How a loaded version runs its requests: concurrent executions of its session, and why that many.</summary>
/// <param name="Instances">Executions of the version running at once (Triton's <c>instance_group.count</c>).</param>
/// <param name="Reason">Why, in words an operator reads in the version's ModelConfig.</param>
public sealed record ExecutionPlan(int Instances, string Reason)
{
    /// <summary>Before warmup has measured anything: one execution at a time.</summary>
    public static ExecutionPlan Initial { get; } = new(1, "not planned yet: the version has not been warmed up");
}
