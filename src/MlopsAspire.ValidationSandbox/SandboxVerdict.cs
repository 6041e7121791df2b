using System.Text.Json.Serialization;

namespace MlopsAspire.ValidationSandbox;

/// <summary>How a sandboxed validation ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SandboxOutcome>))]
public enum SandboxOutcome
{
    /// <summary>Loaded, warmed up and ran its smoke inferences.</summary>
    Passed,

    /// <summary>Loaded, but a warmup or smoke inference failed: a real model that cannot serve.</summary>
    SmokeFailed,

    /// <summary>Not a model ONNX Runtime can load from a lone file (not ONNX, corrupt, or data outside the file).</summary>
    NotLoadable,

    /// <summary>The serving configuration does not fit the model.</summary>
    InvalidConfiguration,

    /// <summary>Loading or running the model needed more memory than the sandbox allows.</summary>
    MemoryLimit,
}

/// <summary>A tensor of the model's signature, as the sandbox reports it.</summary>
public sealed record SandboxTensor(string Name, string Datatype, IReadOnlyList<long> Shape);

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

/// <summary>The verdict's JSON form, shared by the sandbox that writes it and the control plane that reads it.</summary>
[JsonSerializable(typeof(SandboxVerdict))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
public sealed partial class SandboxJson : JsonSerializerContext;
