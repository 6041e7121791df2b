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

/// <summary>Profiles of categorical values (class indices): one bin per category.</summary>
public static class CategoricalProfile
{
    /// <summary>
    /// The profile of class indices 0 … <paramref name="categories"/> − 1: edges halfway between them, so each class
    /// has a bin of its own and drift compares class frequencies; indices outside count as out of range.
    /// </summary>
    public static FeatureProfile FromValues(string name, IReadOnlyList<double> values, int categories)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(categories, 2);
        var edges = Enumerable.Range(0, categories - 1).Select(category => category + 0.5).ToArray();
        var histogram = new BinnedHistogram(edges);
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            throw new ArgumentException($"'{name}' has no finite reference values", nameof(values));
        }

        foreach (var value in finite)
        {
            histogram.Add(value);
        }

        var mean = finite.Average();
        var variance = finite.Sum(value => (value - mean) * (value - mean)) / Math.Max(1, finite.Length - 1);
        return new FeatureProfile(name, edges, histogram.Counts, mean, Math.Sqrt(variance), 0, categories - 1);
    }
}

/// <summary>The reference profile of a model version: one profile per input feature and per scored output.</summary>
public sealed record ReferenceProfile(IReadOnlyList<FeatureProfile> Features, IReadOnlyList<FeatureProfile> Predictions, long RowCount)
{
    /// <summary>
    /// The profile with the expected ranges a model's contract declares (one entry per feature, null where none) as the
    /// features' [minimum, maximum], so that replicas count values outside them as out of range. When any range is
    /// declared, the other features count nothing as out of range: the declared ranges say what is valid, and a
    /// reference sample's extremes do not.
    /// </summary>
    public ReferenceProfile WithExpectedRanges(IReadOnlyList<ModelContracts.ValueRange?> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count != Features.Count || ranges.All(range => range is null))
        {
            return this;
        }

        return this with
        {
            Features = [.. Features.Select((feature, i) => ranges[i] is { } range
                ? feature with { Minimum = range.Minimum, Maximum = range.Maximum }
                : feature with { Minimum = double.MinValue, Maximum = double.MaxValue })],
        };
    }

    /// <summary>Builds it from reference rows (row-major, one value per feature) and their predictions.</summary>
    public static ReferenceProfile FromRows(
        IReadOnlyList<string> featureNames,
        IReadOnlyList<float[]> rows,
        IReadOnlyDictionary<string, IReadOnlyList<double>>? predictions = null,
        int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(rows);
        var features = new List<FeatureProfile>(featureNames.Count);
        for (var column = 0; column < featureNames.Count; column++)
        {
            var values = new double[rows.Count];
            for (var row = 0; row < rows.Count; row++)
            {
                if (rows[row].Length != featureNames.Count)
                {
                    throw new ArgumentException($"row {row} has {rows[row].Length} values; expected {featureNames.Count}", nameof(rows));
                }

                values[row] = rows[row][column];
            }

            features.Add(FeatureProfile.FromValues(featureNames[column], values, bins));
        }

        var predictionProfiles = predictions?.Select(pair => FeatureProfile.FromValues(pair.Key, pair.Value, bins)).ToList() ?? [];
        return new ReferenceProfile(features, predictionProfiles, rows.Count);
    }
}
