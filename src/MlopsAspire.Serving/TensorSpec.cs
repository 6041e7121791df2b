namespace MlopsAspire.Serving;

/// <summary>A model input or output: name, datatype and shape, with -1 for a dynamic dimension.</summary>
public sealed record TensorSpec(string Name, TensorDatatype Datatype, long[] Shape)
{
    public string DatatypeName => Datatype.ToWireName();

    /// <summary>
    /// The model's names for dynamic dimensions (e.g. "N"), null where unnamed. Inputs that share a name must
    /// agree on its size in one request.
    /// </summary>
    public IReadOnlyList<string?> DimensionNames { get; init; } = [];

    /// <summary>Whether a concrete shape fits this spec (same rank, every fixed dimension equal).</summary>
    public bool Accepts(IReadOnlyList<long> shape)
    {
        if (shape.Count != Shape.Length)
        {
            return false;
        }

        for (var i = 0; i < Shape.Length; i++)
        {
            if (Shape[i] >= 0 && Shape[i] != shape[i])
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => $"{Name} {DatatypeName} {ShapeFormat.Format(Shape)}";
}
