namespace MlopsAspire.FraudData;

/// <summary>Compile-time positions of the features, matching <see cref="FraudFeatures.Names"/>.</summary>
internal static class FraudFeatureIndex
{
    public const int Amount = 0;
    public const int HourOfDay = 1;
    public const int MerchantCategoryRisk = 2;
    public const int DistanceFromHomeKm = 3;
    public const int SecondsSincePreviousTransaction = 4;
    public const int TransactionCountLast24h = 5;
    public const int CardPresent = 6;
    public const int Foreign = 7;
    public const int AccountAgeDays = 8;
    public const int AmountToCustomerAverageRatio = 9;
    public const int NewDevice = 10;
    public const int CustomerAgeYears = 11;
}
