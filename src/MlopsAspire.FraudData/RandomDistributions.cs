namespace MlopsAspire.FraudData;

/// <summary>
/// Draws from the distributions the transaction population is built from. Each method consumes a fixed
/// number of uniforms where possible, so rows stay aligned between generators that differ only in drift.
/// </summary>
internal static class RandomDistributions
{
    public static double NextGaussian(this Random random, double mean, double standardDeviation)
    {
        // Box-Muller; 1 - NextDouble() avoids log(0).
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + standardDeviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double NextLogNormal(this Random random, double logMean, double logStandardDeviation) =>
        Math.Exp(random.NextGaussian(logMean, logStandardDeviation));

    public static double NextExponential(this Random random, double mean) =>
        -mean * Math.Log(1.0 - random.NextDouble());

    public static bool NextBernoulli(this Random random, double probability) => random.NextDouble() < probability;

    /// <summary>Poisson by inversion of the CDF with one uniform (the rates used here are small).</summary>
    public static int NextPoisson(this Random random, double rate)
    {
        var u = random.NextDouble();
        var probability = Math.Exp(-rate);
        var cumulative = probability;
        var k = 0;
        while (u > cumulative && k < 1000)
        {
            k++;
            probability *= rate / k;
            cumulative += probability;
        }

        return k;
    }

    /// <summary>Index drawn with the given weights (which sum to 1).</summary>
    public static int NextCategory(this Random random, ReadOnlySpan<double> weights)
    {
        var u = random.NextDouble();
        var cumulative = 0.0;
        for (var i = 0; i < weights.Length - 1; i++)
        {
            cumulative += weights[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}
