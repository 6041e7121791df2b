using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlopsAspire.Serving;

/// <summary>
/// Conversions between FP32 and the 16-bit float formats (IEEE half, bfloat16). FP16 goes through
/// <see cref="TensorPrimitives"/>; bfloat16 has no type or conversion in .NET 10's System.Numerics(.Tensors), so
/// its conversions are written here with the portable Vector256/Vector128 APIs (AVX2, SSE, NEON) and a scalar
/// tail, bit for bit equal to the scalar <see cref="ToBFloat16(float)"/> and <see cref="FromBFloat16"/>.
/// </summary>
public static class ReducedPrecision
{
    private const int ChunkElements = 256;
    private const uint QuietNaNBit = 0x0040;
    private const uint RoundingBias = 0x7FFF;

    public static void ToHalf(IReadOnlyList<float> source, Span<Half> destination)
    {
        if (TryGetSpan(source, out var span))
        {
            TensorPrimitives.ConvertToHalf(span, destination);
            return;
        }

        ConvertInChunks(source, destination, TensorPrimitives.ConvertToHalf);
    }

    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(source, destination);

    /// <summary>Converts the first <c>destination.Length</c> values of <paramref name="source"/>.</summary>
    public static void ToBFloat16(IReadOnlyList<float> source, Span<ushort> destination)
    {
        if (TryGetSpan(source, out var span))
        {
            ToBFloat16(span[..destination.Length], destination);
            return;
        }

        ConvertInChunks(source, destination, ToBFloat16);
    }

    private delegate void SpanConversion<T>(ReadOnlySpan<float> source, Span<T> destination);

    /// <summary>A list that is not an array is copied a stack-sized chunk at a time, so the vector conversion still runs.</summary>
    private static void ConvertInChunks<T>(IReadOnlyList<float> source, Span<T> destination, SpanConversion<T> convert)
    {
        Span<float> chunk = stackalloc float[ChunkElements];
        for (var start = 0; start < destination.Length; start += ChunkElements)
        {
            var length = Math.Min(ChunkElements, destination.Length - start);
            for (var i = 0; i < length; i++)
            {
                chunk[i] = source[start + i];
            }

            convert(chunk[..length], destination.Slice(start, length));
        }
    }

    /// <summary>Rounds every value to nearest, ties to even, keeping NaN a (quiet) NaN.</summary>
    public static void ToBFloat16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements but source has {source.Length}", nameof(destination));
        }

        ref var from = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
        ref var to = ref MemoryMarshal.GetReference(destination);
        var length = (nuint)source.Length;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Two vectors of 32-bit words narrow into one vector of 16-bit results.
            for (; i + (nuint)(2 * Vector256<uint>.Count) <= length; i += (nuint)(2 * Vector256<uint>.Count))
            {
                var lower = RoundToBFloat16(Vector256.LoadUnsafe(ref from, i));
                var upper = RoundToBFloat16(Vector256.LoadUnsafe(ref from, i + (nuint)Vector256<uint>.Count));
                Vector256.Narrow(lower, upper).StoreUnsafe(ref to, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)(2 * Vector128<uint>.Count) <= length; i += (nuint)(2 * Vector128<uint>.Count))
            {
                var lower = RoundToBFloat16(Vector128.LoadUnsafe(ref from, i));
                var upper = RoundToBFloat16(Vector128.LoadUnsafe(ref from, i + (nuint)Vector128<uint>.Count));
                Vector128.Narrow(lower, upper).StoreUnsafe(ref to, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref to, i) = ToBFloat16(Unsafe.Add(ref from, i));
        }
    }

    /// <summary>Widens every value exactly: a bfloat16 is the high half of the FP32 with the same value.</summary>
    public static void ToSingle(ReadOnlySpan<ushort> bfloat16, Span<float> destination)
    {
        if (destination.Length < bfloat16.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements but source has {bfloat16.Length}", nameof(destination));
        }

        ref var from = ref MemoryMarshal.GetReference(bfloat16);
        ref var to = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        var length = (nuint)bfloat16.Length;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<ushort>.Count <= length; i += (nuint)Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref from, i));
                (lower << 16).StoreUnsafe(ref to, i);
                (upper << 16).StoreUnsafe(ref to, i + (nuint)Vector256<uint>.Count);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<ushort>.Count <= length; i += (nuint)Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref from, i));
                (lower << 16).StoreUnsafe(ref to, i);
                (upper << 16).StoreUnsafe(ref to, i + (nuint)Vector128<uint>.Count);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref to, i) = (uint)Unsafe.Add(ref from, i) << 16;
        }
    }

    /// <summary>Rounds to nearest, ties to even, keeping NaN a NaN.</summary>
    public static ushort ToBFloat16(float value) => ToBFloat16(BitConverter.SingleToUInt32Bits(value));

    public static float FromBFloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    private static ushort ToBFloat16(uint bits)
    {
        // Rounding a NaN whose payload sits only in the low half would carry it into infinity; quiet it instead.
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | QuietNaNBit);
        }

        return (ushort)((bits + RoundingBias + ((bits >> 16) & 1)) >> 16);
    }

    /// <returns>Each lane's bfloat16 in its low 16 bits.</returns>
    private static Vector256<uint> RoundToBFloat16(Vector256<uint> bits)
    {
        var high = bits >> 16;
        var rounded = (bits + Vector256.Create(RoundingBias) + (high & Vector256<uint>.One)) >> 16;
        // A float equals itself unless it is NaN.
        var isNumber = Vector256.Equals(bits.AsSingle(), bits.AsSingle()).AsUInt32();
        return Vector256.ConditionalSelect(isNumber, rounded, high | Vector256.Create(QuietNaNBit));
    }

    private static Vector128<uint> RoundToBFloat16(Vector128<uint> bits)
    {
        var high = bits >> 16;
        var rounded = (bits + Vector128.Create(RoundingBias) + (high & Vector128<uint>.One)) >> 16;
        var isNumber = Vector128.Equals(bits.AsSingle(), bits.AsSingle()).AsUInt32();
        return Vector128.ConditionalSelect(isNumber, rounded, high | Vector128.Create(QuietNaNBit));
    }

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
