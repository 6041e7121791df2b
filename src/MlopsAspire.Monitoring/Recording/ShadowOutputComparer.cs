namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// Compares a shadow version's outputs with production's for the same rows. Labels agree when they are equal;
/// without labels, scores agree when both fall on the same side of <see cref="Threshold"/> (score ≥ threshold
/// is the positive side). Absolute and relative score differences follow
/// <see cref="MlopsAspire.Monitoring.Windows.ShadowComparison.Record"/>; a row where either score is NaN or
/// infinite counts as compared and, without labels, as a disagreement, but stays out of the difference sums
/// so one bad score cannot turn a whole window's mean into NaN. Record the result with
/// <see cref="PredictionStatisticsAccumulator.RecordShadow"/>.
/// </summary>
public sealed class ShadowOutputComparer
{
    public const double DefaultThreshold = 0.5;

    /// <summary>How close a shadow's regression value must be to production's to agree: 5% of its magnitude.</summary>
    public const double DefaultValueTolerance = 0.05;

    private const double RelativeFloor = 1e-6;

    public ShadowOutputComparer(double threshold = DefaultThreshold)
    {
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the score threshold must be a finite number");
        }

        Threshold = threshold;
    }

    public double Threshold { get; }

    /// <summary>Compares scores only; agreement is the same side of the threshold.</summary>
    public ShadowBatchComparison Compare(ReadOnlySpan<float> productionScores, ReadOnlySpan<float> shadowScores)
    {
        RequireSameLength(productionScores.Length, shadowScores.Length, nameof(shadowScores));
        long agreements = 0;
        for (var row = 0; row < productionScores.Length; row++)
        {
            double production = productionScores[row];
            double shadow = shadowScores[row];
            if (double.IsFinite(production) && double.IsFinite(shadow) && (production >= Threshold) == (shadow >= Threshold))
            {
                agreements++;
            }
        }

        return WithDifferences(productionScores, shadowScores, agreements);
    }

    /// <summary>
    /// Compares a regression's values: a row agrees when the shadow's value is within <paramref name="relativeTolerance"/>
    /// of production's (relative to production's magnitude, at least <see cref="RelativeFloor"/>).
    /// </summary>
    public static ShadowBatchComparison CompareValues(ReadOnlySpan<float> productionValues, ReadOnlySpan<float> shadowValues, double relativeTolerance = DefaultValueTolerance)
    {
        RequireSameLength(productionValues.Length, shadowValues.Length, nameof(shadowValues));
        long agreements = 0;
        for (var row = 0; row < productionValues.Length; row++)
        {
            double production = productionValues[row];
            double shadow = shadowValues[row];
            if (double.IsFinite(production) && double.IsFinite(shadow)
                && Math.Abs(production - shadow) <= relativeTolerance * Math.Max(Math.Abs(production), RelativeFloor))
            {
                agreements++;
            }
        }

        return WithDifferences(productionValues, shadowValues, agreements);
    }

    /// <summary>Compares predicted labels (e.g. ONNX int64 class ids) and scores.</summary>
    public static ShadowBatchComparison Compare(ReadOnlySpan<float> productionScores, ReadOnlySpan<float> shadowScores, ReadOnlySpan<long> productionLabels, ReadOnlySpan<long> shadowLabels)
    {
        RequireRows(productionScores, shadowScores, productionLabels.Length, shadowLabels.Length);
        return WithDifferences(productionScores, shadowScores, CountEqual(productionLabels, shadowLabels));
    }

    /// <summary>Compares predicted boolean labels (e.g. a binary classifier's PredictedLabel) and scores.</summary>
    public static ShadowBatchComparison Compare(ReadOnlySpan<float> productionScores, ReadOnlySpan<float> shadowScores, ReadOnlySpan<bool> productionLabels, ReadOnlySpan<bool> shadowLabels)
    {
        RequireRows(productionScores, shadowScores, productionLabels.Length, shadowLabels.Length);
        return WithDifferences(productionScores, shadowScores, CountEqual(productionLabels, shadowLabels));
    }

    /// <summary>Compares labels carried as floats and scores; NaN labels never agree.</summary>
    public static ShadowBatchComparison Compare(ReadOnlySpan<float> productionScores, ReadOnlySpan<float> shadowScores, ReadOnlySpan<float> productionLabels, ReadOnlySpan<float> shadowLabels)
    {
        RequireRows(productionScores, shadowScores, productionLabels.Length, shadowLabels.Length);
        long agreements = 0;
        for (var row = 0; row < productionLabels.Length; row++)
        {
            // == rather than Equals: float.Equals treats NaN as equal to NaN.
            if (productionLabels[row] == shadowLabels[row])
            {
                agreements++;
            }
        }

        return WithDifferences(productionScores, shadowScores, agreements);
    }

    private static long CountEqual<TLabel>(ReadOnlySpan<TLabel> productionLabels, ReadOnlySpan<TLabel> shadowLabels)
        where TLabel : IEquatable<TLabel>
    {
        long agreements = 0;
        for (var row = 0; row < productionLabels.Length; row++)
        {
            if (productionLabels[row].Equals(shadowLabels[row]))
            {
                agreements++;
            }
        }

        return agreements;
    }

    private static void RequireRows(ReadOnlySpan<float> productionScores, ReadOnlySpan<float> shadowScores, int productionLabels, int shadowLabels)
    {
        RequireSameLength(productionScores.Length, shadowScores.Length, nameof(shadowScores));
        RequireSameLength(productionScores.Length, productionLabels, nameof(productionLabels));
        RequireSameLength(productionScores.Length, shadowLabels, nameof(shadowLabels));
    }

    private static ShadowBatchComparison WithDifferences(ReadOnlySpan<float> productionScores, ReadOnlySpan<float> shadowScores, long agreements)
    {
        double sumAbsolute = 0;
        double maxAbsolute = 0;
        double sumRelative = 0;
        for (var row = 0; row < productionScores.Length; row++)
        {
            double production = productionScores[row];
            double shadow = shadowScores[row];
            if (!double.IsFinite(production) || !double.IsFinite(shadow))
            {
                continue;
            }

            var difference = Math.Abs(production - shadow);
            sumAbsolute += difference;
            maxAbsolute = Math.Max(maxAbsolute, difference);
            sumRelative += difference / Math.Max(Math.Abs(production), RelativeFloor);
        }

        return new ShadowBatchComparison(productionScores.Length, agreements, sumAbsolute, maxAbsolute, sumRelative);
    }

    private static void RequireSameLength(int expected, int actual, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"expected one value per compared row ({expected}), got {actual}", name);
        }
    }
}
