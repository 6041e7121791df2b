namespace MlopsAspire.Abstractions;

/// <summary>A model or version that does not exist; the message names it.</summary>
[GenerateSerializer]
public sealed class ModelNotFoundException : Exception
{
    public ModelNotFoundException(string message) : base(message) { }
}
