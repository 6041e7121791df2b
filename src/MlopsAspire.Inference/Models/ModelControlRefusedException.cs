namespace MlopsAspire.Inference.Models;

/// <summary>
/// A repository operation this replica does not perform in its current mode (e.g. loading a model while the
/// control plane's routing table decides what is served); reported as FAILED_PRECONDITION.
/// </summary>
public sealed class ModelControlRefusedException(string message) : Exception(message);
