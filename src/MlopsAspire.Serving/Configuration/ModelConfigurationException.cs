
namespace MlopsAspire.Serving.Configuration;

/// <summary>A configuration value that is missing, mistyped or out of range; the message names the file, field and what is allowed.</summary>
public sealed class ModelConfigurationException(string message, Exception? innerException = null) : Exception(message, innerException);
