namespace MlopsAspire.ModelContracts;

/// <summary>
/// An input or output of a model as the contract checks it: name, Open Inference Protocol datatype ("FP32", "INT64",
/// "BYTES", ...) and shape, with -1 where any size is accepted.
/// </summary>
public sealed record TensorDescription(string Name, string Datatype, IReadOnlyList<long> Shape)
{
    public bool IsText => Datatype == "BYTES";

    /// <summary>The size of the last dimension when the tensor is [N, K] with K fixed; 1 for [N]; null when unknown.</summary>
    public long? ValuesPerRow => Shape.Count switch
    {
        1 => 1,
        2 => Shape[1] > 0 ? Shape[1] : null,
        _ => null,
    };

    public override string ToString() => $"{Name} {Datatype} [{string.Join(", ", Shape)}]";

    public bool Equals(TensorDescription? other) =>
        other is not null && Name == other.Name && Datatype == other.Datatype && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(Name, Datatype, Shape.Count);
}
