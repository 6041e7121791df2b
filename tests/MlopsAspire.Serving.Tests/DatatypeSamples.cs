using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MlopsAspire.Serving.Tests;

/// <summary>Six values of each datatype, as typed contents and as the raw little-endian bytes they must become.</summary>
internal static class DatatypeSamples
{
    public static (object Typed, byte[] Raw, string ContentsKind) For(TensorDatatype datatype) => datatype switch
    {
        TensorDatatype.Bool => Sample(new[] { true, false, true, true, false, false }, v => v, "bool"),
        TensorDatatype.Int8 => Sample(new[] { -128, -1, 0, 1, 42, 127 }, v => (sbyte)v, "int"),
        TensorDatatype.Int16 => Sample(new[] { short.MinValue, -1, 0, 1, 1000, short.MaxValue }, v => (short)v, "int"),
        TensorDatatype.Int32 => Sample(new[] { int.MinValue, -1, 0, 1, 123456, int.MaxValue }, v => v, "int"),
        TensorDatatype.Int64 => Sample(new[] { long.MinValue, -1L, 0L, 1L, 1L << 40, long.MaxValue }, v => v, "int64"),
        TensorDatatype.UInt8 => Sample(new uint[] { 0, 1, 2, 127, 128, 255 }, v => (byte)v, "uint"),
        TensorDatatype.UInt16 => Sample(new uint[] { 0, 1, 2, 300, 40000, ushort.MaxValue }, v => (ushort)v, "uint"),
        TensorDatatype.UInt32 => Sample(new uint[] { 0, 1, 2, 300, 3_000_000_000, uint.MaxValue }, v => v, "uint"),
        TensorDatatype.UInt64 => Sample(new ulong[] { 0, 1, 2, 300, 1UL << 63, ulong.MaxValue }, v => v, "uint64"),
        // Values exactly representable in the 16-bit formats, so the round trip is exact.
        TensorDatatype.Fp16 => Sample(new[] { 0f, 1f, -2.5f, 0.099975586f, 1024f, -65504f }, v => (Half)v, "none"),
        TensorDatatype.Bf16 => Sample(new[] { 0f, 1f, -2.5f, 0.15625f, 3.0e38f, -1.0e-3f }, v => ReducedPrecision.ToBFloat16(v), "none"),
        TensorDatatype.Fp32 => Sample(new[] { 0f, 1f, -2.5f, float.Epsilon, float.MaxValue, 3.14159f }, v => v, "fp32"),
        TensorDatatype.Fp64 => Sample(new[] { 0d, 1d, -2.5d, double.Epsilon, double.MaxValue, Math.PI }, v => v, "fp64"),
        _ => throw new ArgumentOutOfRangeException(nameof(datatype)),
    };

    public static TheoryData<TensorDatatype> NumericDatatypes =>
    [
        TensorDatatype.Bool, TensorDatatype.UInt8, TensorDatatype.UInt16, TensorDatatype.UInt32, TensorDatatype.UInt64,
        TensorDatatype.Int8, TensorDatatype.Int16, TensorDatatype.Int32, TensorDatatype.Int64,
        TensorDatatype.Fp16, TensorDatatype.Bf16, TensorDatatype.Fp32, TensorDatatype.Fp64,
    ];

    /// <summary>BYTES elements including an empty one and bytes that are not UTF-8.</summary>
    public static byte[][] BytesElements { get; } = [[0x68, 0x69], [], [0xFF, 0x00, 0xFE], [0x41], [0xC3, 0x28], [0x7A, 0x7A, 0x7A]];

    public static byte[] EncodeRawBytes(IEnumerable<byte[]> elements)
    {
        var stream = new MemoryStream();
        Span<byte> prefix = stackalloc byte[4];
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)element.Length);
            stream.Write(prefix);
            stream.Write(element);
        }

        return stream.ToArray();
    }

    private static (object, byte[], string) Sample<TTyped, TNative>(TTyped[] typed, Func<TTyped, TNative> toNative, string kind)
        where TNative : unmanaged
    {
        var native = typed.Select(toNative).ToArray();
        return (typed, MemoryMarshal.AsBytes(native.AsSpan()).ToArray(), kind);
    }
}
