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
