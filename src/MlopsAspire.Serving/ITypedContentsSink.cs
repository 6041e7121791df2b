namespace MlopsAspire.Serving;

/// <summary>
/// Receives an output tensor's values widened to the protocol's typed contents types
/// (INT8/INT16 as int, UINT8/UINT16 as uint). Called with consecutive chunks in element order.
/// </summary>
public interface ITypedContentsSink
{
    void AddBools(ReadOnlySpan<bool> values);

    void AddInt32s(ReadOnlySpan<int> values);

    void AddInt64s(ReadOnlySpan<long> values);

    void AddUInt32s(ReadOnlySpan<uint> values);

    void AddUInt64s(ReadOnlySpan<ulong> values);

    void AddFloats(ReadOnlySpan<float> values);

    void AddDoubles(ReadOnlySpan<double> values);

    /// <summary>One BYTES element.</summary>
    void AddBytes(ReadOnlySpan<byte> element);
}
