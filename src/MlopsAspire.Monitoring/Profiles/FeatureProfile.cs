using MlopsAspire.Monitoring.Histograms;

namespace MlopsAspire.Monitoring.Profiles;

/// <summary>
/// What one input feature (or one prediction output) looked like in the reference data: bins at its
/// quantiles, the reference counts on them, and its moments and range. Live histograms use the same edges,
/// so drift metrics compare like with like.
/// </summary>
public sealed record FeatureProfile(
    string Name,
    double[] Edges,
    long[] ReferenceCounts,
    double Mean,
    double StandardDeviation,
    double Minimum,
    double Maximum)
{
    /// <summary>An empty live histogram on this profile's bins.</summary>
    public BinnedHistogram CreateHistogram() => new(Edges);

    public BinnedHistogram ReferenceHistogram => BinnedHistogram.FromCounts(Edges, ReferenceCounts);

    /// <summary>Whether a value lies outside the range seen in the reference data.</summary>
    public bool IsOutOfRange(double value) => value < Minimum || value > Maximum;

    /// <summary>
    /// Builds a profile from reference values: edges at the 1/b … (b-1)/b quantiles (duplicates dropped, so a
    /// binary flag gets one edge and two bins), reference counts on them, moments and range. Non-finite values
    /// are left out.
    /// </summary>
    public static FeatureProfile FromValues(string name, IReadOnlyList<double> values, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            throw new ArgumentException($"feature '{name}' has no finite reference values", nameof(values));
        }

        Array.Sort(finite);
        var edges = new List<double>(bins - 1);
        for (var i = 1; i < bins; i++)
        {
            // An edge just above a quantile value puts that value in the lower bin; discrete values stay whole.
            var quantile = finite[(int)Math.Min(finite.Length - 1, Math.Floor((double)i * finite.Length / bins))];
            if (edges.Count == 0 || quantile > edges[^1])
            {
                edges.Add(quantile);
            }
        }

        // A constant feature still needs an edge so that any change shows.
        if (edges.Count == 0)
        {
            edges.Add(finite[0]);
        }

        var histogram = new BinnedHistogram([.. edges]);
        foreach (var value in finite)
        {
            histogram.Add(value);
        }

        var mean = finite.Average();
        var variance = finite.Sum(value => (value - mean) * (value - mean)) / Math.Max(1, finite.Length - 1);
        return new FeatureProfile(name, histogram.Edges, histogram.Counts, mean, Math.Sqrt(variance), finite[0], finite[^1]);
    }
}
