
namespace MlopsAspire.Monitoring.Profiles;

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
