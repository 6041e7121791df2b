namespace MlopsAspire.ControlPlane.Validation;

/// <summary>Why an upload is refused outright, nothing registered.</summary>
public enum ArtifactRefusal
{
    None,

    /// <summary>Not ONNX, corrupt, keeping data outside the file, or crashing the runtime.</summary>
    NotLoadable,

    /// <summary>The serving configuration is malformed or does not fit the model.</summary>
    InvalidConfiguration,

    /// <summary>Validation needed more memory or time than its limits allow.</summary>
    OverLimit,
}
