namespace MlopsAspire.ModelContracts;

/// <summary>A contract key that is unknown, mistyped, out of range or does not fit the model; the message names the key.</summary>
public sealed class ModelContractException(string message) : Exception(message);
