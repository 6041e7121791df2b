namespace MlopsAspire.Abstractions;

/// <summary>A model's inputs and outputs.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelSignature(
    [property: Id(0)] IReadOnlyList<TensorSignature> Inputs,
    [property: Id(1)] IReadOnlyList<TensorSignature> Outputs)
{
    public bool Equals(ModelSignature? other) =>
        other is not null && Inputs.SequenceEqual(other.Inputs) && Outputs.SequenceEqual(other.Outputs);

    public override int GetHashCode() => HashCode.Combine(Inputs.Count, Outputs.Count);

    public override string ToString() =>
        $"inputs {string.Join("; ", Inputs)}; outputs {string.Join("; ", Outputs)}";
}
