
namespace MlopsAspire.ValidationSandbox;

/// <summary>What the sandbox prints on standard output, one JSON document, when it reaches a verdict.</summary>
public sealed record SandboxVerdict(
    SandboxOutcome Outcome,
    string Detail,
    IReadOnlyList<SandboxTensor> Inputs,
    IReadOnlyList<SandboxTensor> Outputs,
    IReadOnlyDictionary<int, double> LatencyMillisecondsByBatchSize)
{
    public static SandboxVerdict Refused(SandboxOutcome outcome, string detail) => new(outcome, detail, [], [], new Dictionary<int, double>());
}
