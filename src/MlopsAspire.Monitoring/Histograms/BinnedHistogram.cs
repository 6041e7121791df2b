using System.Numerics.Tensors;

namespace MlopsAspire.Monitoring.Histograms;

/// <summary>
/// Counts of values on fixed bin edges, mergeable with any histogram on the same edges. Edges e0 &lt; e1 &lt; …
/// &lt; e(k-1) make k + 1 bins: (-∞, e0), [e0, e1), …, [e(k-1), +∞). NaN and ±∞ are counted apart, so data quality
/// problems never distort the distribution.
/// </summary>
public sealed class BinnedHistogram
{
    public BinnedHistogram(double[] edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        for (var i = 1; i < edges.Length; i++)
        {
            if (!(edges[i] > edges[i - 1]))
            {
                throw new ArgumentException($"bin edges must increase strictly; edge {i} ({edges[i]}) follows {edges[i - 1]}", nameof(edges));
            }
        }

        Edges = edges;
        Counts = new long[edges.Length + 1];
    }

    private BinnedHistogram(double[] edges, long[] counts, long nonFinite)
    {
        Edges = edges;
        Counts = counts;
        NonFiniteCount = nonFinite;
    }

    public double[] Edges { get; }

    /// <summary>Count per bin (length = edges + 1).</summary>
    public long[] Counts { get; }

    /// <summary>NaN and infinite values seen (not in <see cref="Counts"/>).</summary>
    public long NonFiniteCount { get; private set; }

    /// <summary>Finite values counted.</summary>
    public long Total => TensorPrimitives.Sum<long>(Counts);

    public static BinnedHistogram FromCounts(double[] edges, long[] counts, long nonFiniteCount = 0)
    {
        var histogram = new BinnedHistogram(edges);
        if (counts.Length != histogram.Counts.Length)
        {
            throw new ArgumentException($"{edges.Length} edges need {edges.Length + 1} counts, got {counts.Length}", nameof(counts));
        }

        return new BinnedHistogram(histogram.Edges, (long[])counts.Clone(), nonFiniteCount);
    }

    public int BinOf(double value)
    {
        // Upper bound: the number of edges ≤ value is the bin index.
        int low = 0, high = Edges.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (Edges[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    public void Add(double value)
    {
        if (double.IsFinite(value))
        {
            Counts[BinOf(value)]++;
        }
        else
        {
            NonFiniteCount++;
        }
    }

    public void AddRange(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
        {
            Add(value);
        }
    }

    /// <summary>Adds another histogram on the same edges.</summary>
    public void Merge(BinnedHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Edges.AsSpan().SequenceEqual(other.Edges))
        {
            throw new ArgumentException("histograms with different bin edges cannot be merged", nameof(other));
        }

        TensorPrimitives.Add<long>(Counts, other.Counts, Counts);
        NonFiniteCount += other.NonFiniteCount;
    }

    public BinnedHistogram Clone() => new(Edges, (long[])Counts.Clone(), NonFiniteCount);
}
