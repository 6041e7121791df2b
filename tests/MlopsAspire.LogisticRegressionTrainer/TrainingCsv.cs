using System.Globalization;

namespace MlopsAspire.LogisticRegressionTrainer;

/// <summary>The worker's training CSV: a header of feature names and the label column, then one row per example.</summary>
public static class TrainingCsv
{
    public static (double[][] Features, double[] Labels, IReadOnlyList<string> FeatureNames) Read(string path, string labelColumn)
    {
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? throw new UsageException($"{path} is empty")).Split(',');
        var labelIndex = Array.IndexOf(header, labelColumn);
        if (labelIndex < 0)
        {
            throw new UsageException($"{path} has no label column '{labelColumn}'; its columns are {string.Join(", ", header)}");
        }

        var features = new List<double[]>();
        var labels = new List<double>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            var cells = line.Split(',');
            if (cells.Length != header.Length)
            {
                throw new UsageException($"{path} line {features.Count + 2} has {cells.Length} values; the header has {header.Length}");
            }

            var values = cells.Select(cell => double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            labels.Add(values[labelIndex] >= 0.5 ? 1 : 0);
            features.Add([.. values.Where((_, column) => column != labelIndex)]);
        }

        return ([.. features], [.. labels], [.. header.Where((_, column) => column != labelIndex)]);
    }
}
