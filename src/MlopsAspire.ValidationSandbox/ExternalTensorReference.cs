
namespace MlopsAspire.ValidationSandbox;

/// <summary>A tensor whose bytes an ONNX file says live in another file.</summary>
public sealed record ExternalTensorReference(string TensorName, string Location);
