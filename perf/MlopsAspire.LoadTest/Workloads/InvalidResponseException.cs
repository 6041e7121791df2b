
namespace MlopsAspire.LoadTest.Workloads;

/// <summary>A response that arrived but is not what the request asked for.</summary>
public sealed class InvalidResponseException(string message) : Exception(message);
