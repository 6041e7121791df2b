namespace MlopsAspire.Serving.Tests;

/// <summary>
/// The vectorised bfloat16 conversions must agree bit for bit with the scalar definition (round to nearest, ties
/// to even; NaN stays NaN) at every length, so that vector bodies and scalar tails are both covered.
/// </summary>
public sealed class ReducedPrecisionTests
{
    private static readonly uint[] SpecialBits =
    [
        0x0000_0000, 0x8000_0000, // ±0
        0x7F80_0000, 0xFF80_0000, // ±infinity
        0x7FC0_0000, 0xFFC0_0000, // quiet NaNs
        0x7F80_0001, 0xFF80_0001, // signalling NaNs whose payload is only in the low half
        0x7FFF_FFFF, 0xFFFF_FFFF, // NaNs with every payload bit set
        0x7F80_8000, 0x7FBF_FFFF, // NaNs that rounding would carry into another exponent
        0x0000_0001, 0x8000_0001, // smallest subnormals
        0x007F_FFFF, 0x807F_FFFF, // largest subnormals: round up into the smallest normal
        0x0000_8000, 0x0001_8000, // subnormal ties: to even down, to even up
        0x0080_0000, 0x8080_0000, // smallest normals
        0x7F7F_FFFF, 0xFF7F_FFFF, // largest finite: rounds to infinity
        0x7F7F_7FFF, // largest finite that stays finite
        0x3F80_8000, 0x3F81_8000, // ties at 1: down to even, up to even
        0x3F80_8001, 0x3F80_7FFF, // just above and below a tie
        0xBF80_8000, 0xBF81_8000, // negative ties
    ];

    public static TheoryData<int> Lengths() => [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Fp32_to_bfloat16_matches_the_scalar_rounding_for_special_values(int length)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = BitConverter.UInt32BitsToSingle(SpecialBits[i % SpecialBits.Length]);
        }

        AssertMatchesScalar(values);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Fp32_to_bfloat16_matches_the_scalar_rounding_for_random_bit_patterns(int length)
    {
        var random = new Random(length);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        }

        AssertMatchesScalar(values);
    }

    [Fact]
    public void Fp32_to_bfloat16_matches_the_scalar_rounding_for_a_million_random_values()
    {
        var random = new Random(7);
        var values = new float[1 << 20];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        }

        AssertMatchesScalar(values);
    }

    [Fact]
    public void Special_values_convert_as_the_format_defines()
    {
        float[] values = [float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7F80_0001), float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, 1.00390625f, 1.01171875f, -0f];
        var bfloat16 = new ushort[values.Length];

        ReducedPrecision.ToBFloat16(values, bfloat16);
        var widened = new float[values.Length];
        ReducedPrecision.ToSingle(bfloat16, widened);

        Assert.True(float.IsNaN(widened[0]));
        Assert.True(float.IsNaN(widened[1]));
        Assert.True(float.IsNaN(widened[2])); // not infinity: the payload was in the dropped half
        Assert.Equal(float.PositiveInfinity, widened[3]);
        Assert.Equal(float.NegativeInfinity, widened[4]);
        Assert.Equal(float.PositiveInfinity, widened[5]); // beyond the largest bfloat16: rounds to infinity
        Assert.Equal(1f, widened[6]); // tie: to even
        Assert.Equal(1.015625f, widened[7]); // tie, odd neighbour below: up
        Assert.Equal(0x8000, bfloat16[8]); // the sign of zero survives
    }

    [Fact]
    public void Every_bfloat16_widens_exactly_and_converts_back_unchanged_unless_nan()
    {
        var all = new ushort[ushort.MaxValue + 1];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (ushort)i;
        }

        var widened = new float[all.Length];
        ReducedPrecision.ToSingle(all, widened);
        var back = new ushort[all.Length];
        ReducedPrecision.ToBFloat16(widened, back);

        for (var i = 0; i < all.Length; i++)
        {
            Assert.Equal((uint)i << 16, BitConverter.SingleToUInt32Bits(widened[i]));
            Assert.Equal(BitConverter.SingleToUInt32Bits(ReducedPrecision.FromBFloat16(all[i])), BitConverter.SingleToUInt32Bits(widened[i]));
            // A NaN comes back quiet (0x0040 set); everything else exactly.
            var expected = float.IsNaN(widened[i]) ? (ushort)(i | 0x0040) : (ushort)i;
            Assert.Equal(expected, back[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Bfloat16_widening_handles_every_length(int length)
    {
        var random = new Random(length + 1);
        var bfloat16 = new ushort[length];
        for (var i = 0; i < length; i++)
        {
            bfloat16[i] = (ushort)random.Next(0, ushort.MaxValue + 1);
        }

        var widened = new float[length + 1];
        widened[length] = 42f;
        ReducedPrecision.ToSingle(bfloat16, widened);

        for (var i = 0; i < length; i++)
        {
            Assert.Equal((uint)bfloat16[i] << 16, BitConverter.SingleToUInt32Bits(widened[i]));
        }

        Assert.Equal(42f, widened[length]); // nothing written past the source's length
    }

    [Fact]
    public void Lists_that_are_not_arrays_convert_the_same_as_arrays()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 600).Select(_ => BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32))).ToArray();
        var fromArray = new ushort[values.Length];
        var fromList = new ushort[values.Length];

        ReducedPrecision.ToBFloat16(values, fromArray);
        ReducedPrecision.ToBFloat16(new ReadOnlyListWrapper(values), fromList);

        Assert.Equal(fromArray, fromList);
    }

    [Fact]
    public void A_destination_shorter_than_the_source_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ReducedPrecision.ToBFloat16(new float[9].AsSpan(), new ushort[8]));
        Assert.Throws<ArgumentException>(() => ReducedPrecision.ToSingle(new ushort[9].AsSpan(), new float[8]));
    }

    private static void AssertMatchesScalar(float[] values)
    {
        // One element past the end stays untouched.
        var converted = new ushort[values.Length + 1];
        converted[^1] = 0xBEEF;
        ReducedPrecision.ToBFloat16(values.AsSpan(), converted);

        for (var i = 0; i < values.Length; i++)
        {
            var expected = ReducedPrecision.ToBFloat16(values[i]);
            if (converted[i] != expected)
            {
                Assert.Fail($"element {i} (bits 0x{BitConverter.SingleToUInt32Bits(values[i]):X8}) converted to 0x{converted[i]:X4}; the scalar rounding gives 0x{expected:X4}");
            }
        }

        Assert.Equal(0xBEEF, converted[^1]);
    }

    /// <summary>A list that is neither an array nor a List, like protobuf's repeated fields.</summary>
    private sealed class ReadOnlyListWrapper(float[] values) : IReadOnlyList<float>
    {
        public float this[int index] => values[index];

        public int Count => values.Length;

        public IEnumerator<float> GetEnumerator() => ((IEnumerable<float>)values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => values.GetEnumerator();
    }
}
