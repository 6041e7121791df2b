using System.Text.Json.Serialization;

namespace MlopsAspire.ValidationSandbox;

/// <summary>The verdict's JSON form, shared by the sandbox that writes it and the control plane that reads it.</summary>
[JsonSerializable(typeof(SandboxVerdict))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
public sealed partial class SandboxJson : JsonSerializerContext;
