namespace MlopsAspire.FraudData;

/// <summary>
/// Synthetic card transactions with a known fraud pattern, and knobs for covariate drift (feature
/// distributions move) and concept drift (which transactions are fraud changes). Every call to
/// <see cref="Generate"/> replays the same seeded stream, so equal options give equal rows and a shorter
/// request is a prefix of a longer one. Generators that differ only in drift draw the same underlying
/// transactions, which makes drifted and undrifted samples directly comparable. A generator is immutable
/// and safe to use from many threads.
/// </summary>
public sealed class FraudDataGenerator
{
    private static readonly int[] Flags = [FraudFeatureIndex.CardPresent, FraudFeatureIndex.Foreign, FraudFeatureIndex.NewDevice];

    // Physical range each feature is kept in after a shift; flags and counts are handled separately.
    private static readonly (double Min, double Max)[] Bounds = BuildBounds();

    private readonly double[] _shiftInStandardDeviations = new double[FraudFeatures.Count];
    private readonly FraudLabelRule _labelRule;

    public FraudDataGenerator(FraudDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.FraudRate is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FraudRate, "FraudRate must be in (0, 1).");
        }

        if (!(options.ConceptDrift is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ConceptDrift, "ConceptDrift must be in [0, 1].");
        }

        if (!double.IsFinite(options.GlobalShift))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.GlobalShift, "GlobalShift must be a finite number of standard deviations.");
        }

        Array.Fill(_shiftInStandardDeviations, options.GlobalShift);
        foreach (var (name, shift) in options.FeatureShift ?? throw new ArgumentNullException(nameof(options), "FeatureShift must not be null."))
        {
            if (!double.IsFinite(shift))
            {
                throw new ArgumentOutOfRangeException(nameof(options), shift, $"FeatureShift['{name}'] must be a finite number of standard deviations.");
            }

            _shiftInStandardDeviations[FraudFeatures.IndexOf(name)] += shift;
        }

        Options = options;
        _labelRule = new FraudLabelRule(options.FraudRate, options.ConceptDrift);
    }

    public FraudDataOptions Options { get; }

    /// <summary>The first <paramref name="count"/> rows of this generator's seeded stream, produced lazily.</summary>
    public IEnumerable<FraudTransaction> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return GenerateRows(count);
    }

    private IEnumerable<FraudTransaction> GenerateRows(int count)
    {
        var random = new Random(Options.Seed);
        var row = new double[FraudFeatures.Count];
        var statistics = TransactionPopulation.Reference;
        for (var i = 0; i < count; i++)
        {
            TransactionPopulation.Sample(random, row);
            ApplyCovariateShift(random, row, statistics);

            // Always one draw for the label, so rows stay aligned whatever the drift settings.
            var isFraud = random.NextDouble() < _labelRule.FraudProbability(row);

            var features = new float[FraudFeatures.Count];
            for (var f = 0; f < features.Length; f++)
            {
                features[f] = (float)row[f];
            }

            yield return new FraudTransaction(features, isFraud);
        }
    }

    private void ApplyCovariateShift(Random random, double[] row, PopulationStatistics statistics)
    {
        for (var f = 0; f < row.Length; f++)
        {
            var delta = _shiftInStandardDeviations[f] * statistics.StandardDeviations[f];
            if (Array.IndexOf(Flags, f) >= 0)
            {
                row[f] = ShiftFlag(random.NextDouble(), row[f], statistics.Means[f], delta);
            }
            else if (f == FraudFeatureIndex.TransactionCountLast24h)
            {
                // Translate, then round up or down at random so the expected count moves by exactly delta.
                var shifted = Math.Max(row[f] + delta, 0.0);
                var whole = Math.Floor(shifted);
                row[f] = random.NextDouble() < shifted - whole ? whole + 1 : whole;
            }
            else if (delta != 0)
            {
                row[f] = Math.Clamp(row[f] + delta, Bounds[f].Min, Bounds[f].Max);
            }
        }
    }

    /// <summary>
    /// Moves a flag's probability of being 1 from <paramref name="baseRate"/> by <paramref name="delta"/>:
    /// raising it turns some zeros into ones, lowering it turns some ones into zeros.
    /// </summary>
    private static double ShiftFlag(double uniform, double value, double baseRate, double delta)
    {
        if (delta > 0 && value == 0)
        {
            var turnOn = Math.Min(delta / Math.Max(1 - baseRate, 1e-12), 1.0);
            return uniform < turnOn ? 1 : 0;
        }

        if (delta < 0 && value == 1)
        {
            var turnOff = Math.Min(-delta / Math.Max(baseRate, 1e-12), 1.0);
            return uniform < turnOff ? 0 : 1;
        }

        return value;
    }

    private static (double Min, double Max)[] BuildBounds()
    {
        var bounds = new (double Min, double Max)[FraudFeatures.Count];
        Array.Fill(bounds, (0.0, double.MaxValue));
        bounds[FraudFeatureIndex.HourOfDay] = (0.0, 23.999);
        bounds[FraudFeatureIndex.MerchantCategoryRisk] = (0.0, 1.0);
        bounds[FraudFeatureIndex.SecondsSincePreviousTransaction] = (1.0, double.MaxValue);
        bounds[FraudFeatureIndex.CustomerAgeYears] = (18.0, 120.0);
        return bounds;
    }
}
