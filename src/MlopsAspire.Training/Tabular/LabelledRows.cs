namespace MlopsAspire.Training.Tabular;

/// <summary>
/// Labelled rows of one tabular input: <see cref="FeatureCount"/> FP32 values per row (row-major) and one label per row,
/// read as the task reads labels: 0 or 1 for binary classification, the class index for multiclass, the true value for
/// regression. Rows are kept in the order given; callers give them oldest first, so the newest rows are at the end.
/// </summary>
public sealed class LabelledRows
{
    public LabelledRows(int featureCount, float[] features, float[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if (features.Length != (long)labels.Length * featureCount)
        {
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * (long)featureCount} feature values of {featureCount} per row; got {features.Length}", nameof(features));
        }

        FeatureCount = featureCount;
        Features = features;
        Labels = labels;
    }

    public int FeatureCount { get; }

    /// <summary>Row-major feature values.</summary>
    public float[] Features { get; }

    public float[] Labels { get; }

    public int Count => Labels.Length;

    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>, copied.</summary>
    public LabelledRows Slice(int start, int count) =>
        new(FeatureCount, Features.AsSpan(start * FeatureCount, count * FeatureCount).ToArray(), Labels.AsSpan(start, count).ToArray());

    /// <summary>Rows one per <paramref name="rows"/> (each <see cref="FeatureCount"/> long) and their labels.</summary>
    public static LabelledRows From(IReadOnlyList<float[]> rows, IReadOnlyList<float> labels)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Count == 0 || rows.Count != labels.Count)
        {
            throw new ArgumentException($"need one label per row and at least one row; got {rows.Count} rows and {labels.Count} labels", nameof(rows));
        }

        var featureCount = rows[0].Length;
        var features = new float[rows.Count * featureCount];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != featureCount)
            {
                throw new ArgumentException($"row {i} has {rows[i].Length} values; row 0 has {featureCount}", nameof(rows));
            }

            rows[i].CopyTo(features, i * featureCount);
        }

        return new LabelledRows(featureCount, features, [.. labels]);
    }
}
