namespace MlopsAspire.ControlPlane.Validation;

/// <summary>
/// Limits of the process each uploaded model is validated in (section <c>Validation</c>). A model over either limit
/// is refused with that reason, and the control plane's own memory does not move.
/// </summary>
public sealed class ValidationOptions
{
    public const string SectionName = "Validation";

    /// <summary>
    /// Memory the validation process may add for the model beyond what the runtime maps at start (default 1 GiB):
    /// its address space on Linux, and its managed heap everywhere. ResNet-18 (64 MB) needs about 300 MB.
    /// </summary>
    public long MemoryLimitBytes { get; set; } = 1L << 30;

    /// <summary>How long loading, warming up and smoke-testing a model may take, process start included (default 2 minutes).</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Validations that may run at once; more wait their turn (each may take up to the memory limit).</summary>
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>
    /// The sandbox's entry assembly; by default <c>MlopsAspire.ValidationSandbox.dll</c> beside the control plane's
    /// own, which the build puts there.
    /// </summary>
    public string? SandboxPath { get; set; }
}
