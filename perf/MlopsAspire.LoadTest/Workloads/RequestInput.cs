using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>One input of a request as it will be sent: name, datatype and a shape with every dimension chosen.</summary>
public sealed record RequestInput(string Name, TensorDatatype Datatype, IReadOnlyList<long> Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (product, dimension) => product * dimension);

    public override string ToString() => $"{Name} {Datatype.ToWireName()} {ShapeFormat.Format(Shape)}";
}
