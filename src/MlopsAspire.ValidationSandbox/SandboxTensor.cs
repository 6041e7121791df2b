
namespace MlopsAspire.ValidationSandbox;

/// <summary>A tensor of the model's signature, as the sandbox reports it.</summary>
public sealed record SandboxTensor(string Name, string Datatype, IReadOnlyList<long> Shape);
