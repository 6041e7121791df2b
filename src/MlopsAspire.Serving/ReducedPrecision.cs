using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace MlopsAspire.Serving;

/// <summary>Conversions between FP32 and the 16-bit float formats (IEEE half, bfloat16).</summary>
public static class ReducedPrecision
{
    private const int ChunkElements = 256;

    public static void ToHalf(IReadOnlyList<float> source, Span<Half> destination)
    {
        if (TryGetSpan(source, out var span))
        {
            TensorPrimitives.ConvertToHalf(span, destination);
            return;
        }

        Span<float> chunk = stackalloc float[ChunkElements];
        for (var start = 0; start < destination.Length; start += ChunkElements)
        {
            var length = Math.Min(ChunkElements, destination.Length - start);
            for (var i = 0; i < length; i++)
            {
                chunk[i] = source[start + i];
            }

            TensorPrimitives.ConvertToHalf(chunk[..length], destination.Slice(start, length));
        }
    }

    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(source, destination);

    public static void ToBFloat16(IReadOnlyList<float> source, Span<ushort> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = ToBFloat16(source[i]);
        }
    }

    public static void ToSingle(ReadOnlySpan<ushort> bfloat16, Span<float> destination)
    {
        for (var i = 0; i < bfloat16.Length; i++)
        {
            destination[i] = FromBFloat16(bfloat16[i]);
        }
    }

    /// <summary>Rounds to nearest, ties to even, keeping NaN a NaN.</summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float FromBFloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    private static bool TryGetSpan(IReadOnlyList<float> source, out ReadOnlySpan<float> span)
    {
        switch (source)
        {
            case float[] array:
                span = array;
                return true;
            case List<float> list:
                span = CollectionsMarshal.AsSpan(list);
                return true;
            default:
                span = default;
                return false;
        }
    }
}
