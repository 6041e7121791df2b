using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlopsAspire.Monitoring.Profiles;

namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// The bin edges and reference ranges of a list of profiles (input features, or scored outputs) in float form for
/// the request path. Each double edge becomes the smallest float not below it, so for every float value
/// "edge ≤ value" gives the same answer in float as <see cref="MlopsAspire.Monitoring.Histograms.BinnedHistogram"/>
/// gives in double, and the bins are identical. Edges are padded with +∞ to whole 8-wide vectors so one
/// compare and a population count find a bin without branches.
/// </summary>
internal sealed class ReferenceBins
{
    /// <summary>Rows per tile of the repeated range bounds: a batch is checked against them tile by tile.</summary>
    private const int TileRows = 64;
    private const int Lanes = 8;

    private readonly float[] _paddedEdges;
    private readonly int[] _edgeOffsets;
    private readonly int[] _edgeCounts;
    private readonly int[] _blockCounts;
    private readonly float[] _lower;
    private readonly float[] _upper;
    private readonly float[] _lowerTile;
    private readonly float[] _upperTile;

    public ReferenceBins(IReadOnlyList<FeatureProfile> profiles)
    {
        Count = profiles.Count;
        _edgeOffsets = new int[Count];
        _edgeCounts = new int[Count];
        _blockCounts = new int[Count];
        _lower = new float[Count];
        _upper = new float[Count];
        var padded = new List<float>();
        for (var i = 0; i < Count; i++)
        {
            var edges = profiles[i].Edges;
            _edgeOffsets[i] = padded.Count;
            _edgeCounts[i] = edges.Length;
            _blockCounts[i] = (edges.Length + Lanes - 1) / Lanes;
            foreach (var edge in edges)
            {
                padded.Add(SmallestFloatNotBelow(edge));
            }

            for (var pad = edges.Length; pad < _blockCounts[i] * Lanes; pad++)
            {
                padded.Add(float.PositiveInfinity);
            }

            _lower[i] = SmallestFloatNotBelow(profiles[i].Minimum);
            _upper[i] = LargestFloatNotAbove(profiles[i].Maximum);
        }

        _paddedEdges = [.. padded];
        _lowerTile = new float[Count * TileRows];
        _upperTile = new float[Count * TileRows];
        for (var row = 0; row < TileRows; row++)
        {
            _lower.CopyTo(_lowerTile, row * Count);
            _upper.CopyTo(_upperTile, row * Count);
        }
    }

    /// <summary>Number of profiles (features or outputs).</summary>
    public int Count { get; }

    public int EdgeCount(int index) => _edgeCounts[index];

    /// <summary>True when the finite <paramref name="value"/> lies outside the reference range of profile <paramref name="index"/>.</summary>
    public bool IsOutOfRange(int index, float value) => value < _lower[index] || value > _upper[index];

    /// <summary>The bin of a finite value: the number of edges at or below it.</summary>
    public int BinOf(int index, float value)
    {
        ref var edges = ref MemoryMarshal.GetArrayDataReference(_paddedEdges);
        var offset = (nuint)_edgeOffsets[index];
        var blocks = _blockCounts[index];
        var bin = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var probe = Vector256.Create(value);
            for (var block = 0; block < blocks; block++)
            {
                var edgeBlock = Vector256.LoadUnsafe(ref edges, offset + (nuint)(block * Lanes));
                bin += BitOperations.PopCount(Vector256.LessThanOrEqual(edgeBlock, probe).ExtractMostSignificantBits());
            }

            return bin;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            var probe = Vector128.Create(value);
            for (var half = 0; half < blocks * 2; half++)
            {
                var edgeBlock = Vector128.LoadUnsafe(ref edges, offset + (nuint)(half * 4));
                bin += BitOperations.PopCount(Vector128.LessThanOrEqual(edgeBlock, probe).ExtractMostSignificantBits());
            }

            return bin;
        }

        var count = _edgeCounts[index];
        for (var i = 0; i < count; i++)
        {
            bin += Unsafe.Add(ref edges, offset + (nuint)i) <= value ? 1 : 0;
        }

        return bin;
    }

    /// <summary>
    /// True when every value of the row-major rows (one value per profile) is finite and inside its reference
    /// range: one vectorised pass that settles the common clean batch, because NaN fails every comparison and
    /// ±∞ lies outside any finite range.
    /// </summary>
    public bool AllFiniteAndInRange(ReadOnlySpan<float> rows)
    {
        var tileLength = Count * TileRows;
        for (var start = 0; start < rows.Length; start += tileLength)
        {
            var chunk = rows[start..Math.Min(rows.Length, start + tileLength)];
            if (!AllWithin(chunk, _lowerTile.AsSpan(0, chunk.Length), _upperTile.AsSpan(0, chunk.Length)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllWithin(ReadOnlySpan<float> values, ReadOnlySpan<float> lower, ReadOnlySpan<float> upper)
    {
        ref var value = ref MemoryMarshal.GetReference(values);
        ref var low = ref MemoryMarshal.GetReference(lower);
        ref var high = ref MemoryMarshal.GetReference(upper);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            var inside = Vector256<float>.AllBitsSet;
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref value, (nuint)i);
                inside &= Vector256.GreaterThanOrEqual(v, Vector256.LoadUnsafe(ref low, (nuint)i))
                    & Vector256.LessThanOrEqual(v, Vector256.LoadUnsafe(ref high, (nuint)i));
            }

            if (inside.ExtractMostSignificantBits() != 0xFFu)
            {
                return false;
            }
        }
        else if (Vector128.IsHardwareAccelerated && values.Length >= Vector128<float>.Count)
        {
            var inside = Vector128<float>.AllBitsSet;
            for (; i <= values.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var v = Vector128.LoadUnsafe(ref value, (nuint)i);
                inside &= Vector128.GreaterThanOrEqual(v, Vector128.LoadUnsafe(ref low, (nuint)i))
                    & Vector128.LessThanOrEqual(v, Vector128.LoadUnsafe(ref high, (nuint)i));
            }

            if (inside.ExtractMostSignificantBits() != 0xFu)
            {
                return false;
            }
        }

        for (; i < values.Length; i++)
        {
            if (!(values[i] >= lower[i] && values[i] <= upper[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The smallest float f with f ≥ <paramref name="value"/>, so that (float v ≥ f) ⇔ ((double)v ≥ value).</summary>
    internal static float SmallestFloatNotBelow(double value)
    {
        var rounded = (float)value;
        return rounded < value ? MathF.BitIncrement(rounded) : rounded;
    }

    /// <summary>The largest float f with f ≤ <paramref name="value"/>, so that (float v ≤ f) ⇔ ((double)v ≤ value).</summary>
    internal static float LargestFloatNotAbove(double value)
    {
        var rounded = (float)value;
        return rounded > value ? MathF.BitDecrement(rounded) : rounded;
    }
}
