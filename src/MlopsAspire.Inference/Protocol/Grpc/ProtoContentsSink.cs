using Google.Protobuf.Collections;
using Inference;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Protocol.Grpc;

/// <summary>Writes output values straight into the protocol message's typed contents.</summary>
internal sealed class ProtoContentsSink(InferTensorContents contents) : ITypedContentsSink
{
    public void AddBools(ReadOnlySpan<bool> values) => Append(contents.BoolContents, values);

    public void AddInt32s(ReadOnlySpan<int> values) => Append(contents.IntContents, values);

    public void AddInt64s(ReadOnlySpan<long> values) => Append(contents.Int64Contents, values);

    public void AddUInt32s(ReadOnlySpan<uint> values) => Append(contents.UintContents, values);

    public void AddUInt64s(ReadOnlySpan<ulong> values) => Append(contents.Uint64Contents, values);

    public void AddFloats(ReadOnlySpan<float> values) => Append(contents.Fp32Contents, values);

    public void AddDoubles(ReadOnlySpan<double> values) => Append(contents.Fp64Contents, values);

    public void AddBytes(ReadOnlySpan<byte> element) => contents.BytesContents.Add(Google.Protobuf.ByteString.CopyFrom(element));

    private static void Append<T>(RepeatedField<T> field, ReadOnlySpan<T> values)
    {
        // Grow once rather than doubling through a large output.
        field.Capacity = Math.Max(field.Capacity, field.Count + values.Length);
        foreach (var value in values)
        {
            field.Add(value);
        }
    }
}
