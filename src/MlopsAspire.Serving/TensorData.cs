namespace MlopsAspire.Serving;

/// <summary>
/// Tensor data: either raw little-endian bytes in row-major order (BYTES elements each prefixed by a 4-byte
/// little-endian length) or a list of typed values of the protocol's contents types
/// (bool, int, long, uint, ulong, float, double, or byte memory for BYTES).
/// </summary>
public readonly struct TensorData
{
    // A byte, so that it fits the struct's padding: every request input carries one.
    private readonly TensorDataTerms _terms;

    private TensorData(ReadOnlyMemory<byte> raw, object? values, int rawIndex, TensorDataTerms terms)
    {
        RawBytes = raw;
        Values = values;
        RawIndex = rawIndex;
        _terms = terms;
    }

    /// <summary>The raw bytes; meaningful when <see cref="IsRaw"/>.</summary>
    public ReadOnlyMemory<byte> RawBytes { get; }

    /// <summary>The typed list (an <see cref="IReadOnlyList{T}"/>), or null for raw data.</summary>
    public object? Values { get; }

    /// <summary>Where the raw bytes came from in the request (e.g. the index in raw_input_contents), for messages.</summary>
    public int RawIndex { get; }

    public bool IsRaw => Values is null;

    /// <param name="rawIndex">Position of this buffer among the request's raw buffers, named in error messages.</param>
    /// <param name="terms">Whose names error messages give these bytes.</param>
    public static TensorData Raw(ReadOnlyMemory<byte> bytes, int rawIndex = 0, TensorDataTerms terms = TensorDataTerms.Grpc) =>
        new(bytes, null, rawIndex, terms);

    /// <param name="terms">Whose names error messages give these values.</param>
    public static TensorData Typed<T>(IReadOnlyList<T> values, TensorDataTerms terms = TensorDataTerms.Grpc) =>
        new(default, values ?? throw new ArgumentNullException(nameof(values)), -1, terms);

    /// <summary>What error messages call this data: the caller's own protocol's name for it.</summary>
    internal string FieldFor(TensorDatatype datatype) => (_terms, IsRaw) switch
    {
        (TensorDataTerms.Json, true) => "binary data",
        (TensorDataTerms.Json, false) => "data",
        (_, true) => $"raw_input_contents[{RawIndex}]",
        _ => datatype.TypedContentsField(),
    };
}
