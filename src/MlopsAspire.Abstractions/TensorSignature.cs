namespace MlopsAspire.Abstractions;

/// <summary>The name, Open Inference Protocol datatype and shape (-1 for a variable dimension) of one model input or output.</summary>
[GenerateSerializer, Immutable]
public sealed record TensorSignature(
    [property: Id(0)] string Name,
    [property: Id(1)] string Datatype,
    [property: Id(2)] IReadOnlyList<long> Shape)
{
    public override string ToString() => $"{Name} {Datatype} [{string.Join(",", Shape)}]";

    // Value equality for the shape too: a signature read back from storage equals the one declared.
    public bool Equals(TensorSignature? other) =>
        other is not null && Name == other.Name && Datatype == other.Datatype && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(Name, Datatype, Shape.Count);
}
