using MlopsAspire.Training.Tabular;

namespace MlopsAspire.Training.Tests;

/// <summary>Small generated tabular data sets with a known relation between three features and the label.</summary>
public static class TabularData
{
    public const int Features = 3;
    public static readonly string[] FeatureNames = ["temp_max", "temp_min", "wind"];

    /// <summary>P(label = 1) = σ(2 x0 − x1 + 0.5 x2), features standard normal (shifted by <paramref name="shift"/>).</summary>
    public static LabelledRows Binary(int count, int seed, double shift = 0) => Generate(count, seed, shift, (x, random) =>
        random.NextDouble() < 1 / (1 + Math.Exp(-(2 * x[0] - x[1] + 0.5 * x[2]))) ? 1f : 0f);

    /// <summary>Three classes: the largest of x0, x1 and −x0 − x1, with a little noise.</summary>
    public static LabelledRows Multiclass(int count, int seed) => Generate(count, seed, 0, (x, random) =>
    {
        double[] scores = [x[0] + 0.3 * Noise(random), x[1] + 0.3 * Noise(random), -x[0] - x[1] + 0.3 * Noise(random)];
        return Array.IndexOf(scores, scores.Max());
    });

    /// <summary>y = 3 x0 − 2 x1 + x2 + 10 + noise.</summary>
    public static LabelledRows Regression(int count, int seed) => Generate(count, seed, 0, (x, random) =>
        (float)(3 * x[0] - 2 * x[1] + x[2] + 10 + 0.3 * Noise(random)));

    private static LabelledRows Generate(int count, int seed, double shift, Func<double[], Random, float> label)
    {
        var random = new Random(seed);
        var features = new float[count * Features];
        var labels = new float[count];
        var row = new double[Features];
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < Features; j++)
            {
                row[j] = Noise(random) + shift;
                features[i * Features + j] = (float)row[j];
            }

            labels[i] = label(row, random);
        }

        return new LabelledRows(Features, features, labels);
    }

    private static double Noise(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
