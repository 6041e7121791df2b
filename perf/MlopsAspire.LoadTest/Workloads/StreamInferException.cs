
namespace MlopsAspire.LoadTest.Workloads;

/// <summary>A ModelStreamInfer response that carried an error message instead of a result.</summary>
public sealed class StreamInferException(string message) : Exception(message);
