namespace MlopsAspire.FraudData;

/// <summary>
/// Layout of the fraud model's input vector: one card transaction described by
/// <see cref="Count"/> numeric features, in the order of <see cref="Names"/>.
/// </summary>
public static class FraudFeatures
{
    /// <summary>Transaction amount in the account currency (log-normal, heavy right tail).</summary>
    public const string Amount = "amount";

    /// <summary>Local hour of day with fraction, in [0, 24).</summary>
    public const string HourOfDay = "hour_of_day";

    /// <summary>Historical fraud risk of the merchant's category, in [0, 1].</summary>
    public const string MerchantCategoryRisk = "merchant_category_risk";

    /// <summary>Distance between the transaction location and the cardholder's home, in km.</summary>
    public const string DistanceFromHomeKm = "distance_from_home_km";

    /// <summary>Seconds since the card's previous transaction.</summary>
    public const string SecondsSincePreviousTransaction = "seconds_since_previous_txn";

    /// <summary>Number of transactions on the card in the preceding 24 hours.</summary>
    public const string TransactionCountLast24h = "txn_count_last_24h";

    /// <summary>1 when the physical card was present (chip/contactless), 0 for card-not-present.</summary>
    public const string CardPresent = "card_present";

    /// <summary>1 when the merchant is in a different country than the card issuer.</summary>
    public const string Foreign = "foreign";

    /// <summary>Age of the card account in days.</summary>
    public const string AccountAgeDays = "account_age_days";

    /// <summary>Amount divided by the customer's average transaction amount.</summary>
    public const string AmountToCustomerAverageRatio = "amount_to_customer_avg_ratio";

    /// <summary>1 when a card-not-present purchase comes from a device not seen before for this customer.</summary>
    public const string NewDevice = "new_device";

    /// <summary>Age of the cardholder in years.</summary>
    public const string CustomerAgeYears = "customer_age_years";

    /// <summary>Number of features in one input vector.</summary>
    public const int Count = 12;

    /// <summary>Feature names in input-vector order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        Amount,
        HourOfDay,
        MerchantCategoryRisk,
        DistanceFromHomeKm,
        SecondsSincePreviousTransaction,
        TransactionCountLast24h,
        CardPresent,
        Foreign,
        AccountAgeDays,
        AmountToCustomerAverageRatio,
        NewDevice,
        CustomerAgeYears,
    ];

    /// <summary>
    /// Mean of each feature in the undrifted population (estimated once from a fixed sample),
    /// in <see cref="Names"/> order.
    /// </summary>
    public static IReadOnlyList<double> ReferenceMeans => TransactionPopulation.Reference.Means;

    /// <summary>
    /// Standard deviation of each feature in the undrifted population, in <see cref="Names"/> order:
    /// the unit of <see cref="FraudDataOptions.FeatureShift"/>.
    /// </summary>
    public static IReadOnlyList<double> ReferenceStandardDeviations => TransactionPopulation.Reference.StandardDeviations;

    /// <summary>Position of a feature in the input vector.</summary>
    /// <exception cref="ArgumentException">The name is not a fraud feature.</exception>
    public static int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException(
            $"'{name}' is not a fraud feature; expected one of: {string.Join(", ", Names)}.", nameof(name));
    }
}
