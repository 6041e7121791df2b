namespace MlopsAspire.FraudData;

/// <summary>
/// The undrifted population of card transactions: a customer profile, a merchant, and the transaction's
/// context, with the correlations a real card portfolio shows (online merchants are card-not-present,
/// travel is often foreign, amount is the customer's usual spend times a ratio, busy cards have short gaps).
/// </summary>
internal static class TransactionPopulation
{
    // Merchant categories: share of transactions, historical fraud risk, probability the card is present,
    // probability the merchant is abroad.
    private static readonly double[] CategoryWeights = [0.25, 0.12, 0.18, 0.15, 0.06, 0.08, 0.10, 0.03, 0.03];
    private static readonly double[] CategoryRisk = [0.02, 0.05, 0.04, 0.10, 0.35, 0.45, 0.60, 0.55, 0.85];
    private static readonly double[] CategoryCardPresent = [0.92, 0.95, 0.85, 0.70, 0.20, 0.50, 0.02, 0.60, 0.10];
    private static readonly double[] CategoryForeign = [0.01, 0.02, 0.04, 0.03, 0.30, 0.06, 0.08, 0.05, 0.10];

    private const int ReferenceSeed = 20_240_917;
    private const int ReferenceRows = 100_000;

    /// <summary>Per-feature mean and standard deviation of the population, estimated from a fixed sample.</summary>
    public static PopulationStatistics Reference => LazyReference.Value;

    private static readonly Lazy<PopulationStatistics> LazyReference = new(ComputeReference);

    /// <summary>Fills <paramref name="features"/> (length <see cref="FraudFeatures.Count"/>) with one transaction.</summary>
    public static void Sample(Random random, Span<double> features)
    {
        // Customer profile.
        var accountAgeDays = Math.Min(random.NextLogNormal(6.4, 1.0), 12_000.0);
        var customerAgeYears = Math.Clamp(random.NextGaussian(46.0, 15.0), 18.0, 95.0);
        var customerAverageAmount = random.NextLogNormal(3.5, 0.6);
        var activityPerDay = random.NextLogNormal(Math.Log(2.5), 0.6);

        // Merchant.
        var category = random.NextCategory(CategoryWeights);
        var cardPresent = random.NextBernoulli(CategoryCardPresent[category]);
        var foreign = random.NextBernoulli(CategoryForeign[category]);

        // Transaction context.
        var ratio = random.NextLogNormal(0.0, 0.55);
        var amount = Math.Round(customerAverageAmount * ratio, 2);
        ratio = amount / customerAverageAmount;

        // Most spending happens in the day; a tail is spread over the whole clock.
        var daytime = random.NextBernoulli(0.85);
        var hour = daytime ? random.NextGaussian(14.5, 4.0) : random.NextDouble() * 24.0;
        hour = ((hour % 24.0) + 24.0) % 24.0;

        var localDistance = cardPresent ? random.NextLogNormal(1.5, 1.1) : random.NextLogNormal(2.5, 1.5);
        var abroadDistance = random.NextLogNormal(7.3, 0.6);
        var distanceKm = foreign ? localDistance + abroadDistance : localDistance;

        var countLast24h = random.NextPoisson(activityPerDay);
        var secondsSincePrevious = 1.0 + random.NextExponential(86_400.0 / (activityPerDay + 0.2));
        var newDevice = random.NextBernoulli(0.10) && !cardPresent;

        features[FraudFeatureIndex.Amount] = amount;
        features[FraudFeatureIndex.HourOfDay] = hour;
        features[FraudFeatureIndex.MerchantCategoryRisk] = CategoryRisk[category];
        features[FraudFeatureIndex.DistanceFromHomeKm] = distanceKm;
        features[FraudFeatureIndex.SecondsSincePreviousTransaction] = secondsSincePrevious;
        features[FraudFeatureIndex.TransactionCountLast24h] = countLast24h;
        features[FraudFeatureIndex.CardPresent] = cardPresent ? 1.0 : 0.0;
        features[FraudFeatureIndex.Foreign] = foreign ? 1.0 : 0.0;
        features[FraudFeatureIndex.AccountAgeDays] = accountAgeDays;
        features[FraudFeatureIndex.AmountToCustomerAverageRatio] = ratio;
        features[FraudFeatureIndex.NewDevice] = newDevice ? 1.0 : 0.0;
        features[FraudFeatureIndex.CustomerAgeYears] = customerAgeYears;
    }

    private static PopulationStatistics ComputeReference()
    {
        var random = new Random(ReferenceSeed);
        Span<double> row = stackalloc double[FraudFeatures.Count];
        var sum = new double[FraudFeatures.Count];
        var sumOfSquares = new double[FraudFeatures.Count];
        for (var r = 0; r < ReferenceRows; r++)
        {
            Sample(random, row);
            for (var f = 0; f < row.Length; f++)
            {
                sum[f] += row[f];
                sumOfSquares[f] += row[f] * row[f];
            }
        }

        var means = new double[FraudFeatures.Count];
        var deviations = new double[FraudFeatures.Count];
        for (var f = 0; f < means.Length; f++)
        {
            means[f] = sum[f] / ReferenceRows;
            deviations[f] = Math.Sqrt(Math.Max(sumOfSquares[f] / ReferenceRows - means[f] * means[f], 0.0));
        }

        return new PopulationStatistics(means, deviations);
    }
}
