using MlopsAspire.Monitoring.Histograms;

namespace MlopsAspire.Monitoring.Profiles;

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
