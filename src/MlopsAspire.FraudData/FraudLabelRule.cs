namespace MlopsAspire.FraudData;

/// <summary>
/// Ground truth of the synthetic data: the probability that a transaction is fraud. Two fraud patterns
/// score a transaction from different features; concept drift blends from the first to the second, and a
/// threshold calibrated on the undrifted population keeps the requested fraud rate. Labels are drawn
/// from the probability, so even a perfect model cannot reach an AUC of 1.
/// </summary>
internal sealed class FraudLabelRule
{
    // How steeply the probability rises with the standardized score: sets how separable fraud is.
    private const double Sharpness = 2.2;
    private const int CalibrationSeed = 7_310_331;
    private const int CalibrationRows = 40_000;

    private static readonly Lazy<CalibrationSample> Calibration = new(BuildCalibrationSample);

    private readonly double _originalWeight;
    private readonly double _driftedWeight;
    private readonly double _threshold;

    public FraudLabelRule(double fraudRate, double conceptDrift)
    {
        // Scale the blend so the mixed score keeps unit spread (the two patterns are nearly independent).
        var norm = Math.Sqrt((1 - conceptDrift) * (1 - conceptDrift) + conceptDrift * conceptDrift);
        _originalWeight = (1 - conceptDrift) / norm;
        _driftedWeight = conceptDrift / norm;
        _threshold = CalibrateThreshold(fraudRate);
    }

    public double FraudProbability(ReadOnlySpan<double> features)
    {
        var calibration = Calibration.Value;
        var original = (OriginalPatternScore(features) - calibration.OriginalMean) / calibration.OriginalDeviation;
        var drifted = (DriftedPatternScore(features) - calibration.DriftedMean) / calibration.DriftedDeviation;
        return Probability(_originalWeight * original + _driftedWeight * drifted);
    }

    private double Probability(double score) => Logistic(Sharpness * (score - _threshold));

    /// <summary>
    /// Stolen card details used online: spending far above the customer's habit at risky card-not-present
    /// merchants, bursts of transactions, night hours, far from home or abroad, new accounts and devices.
    /// </summary>
    internal static double OriginalPatternScore(ReadOnlySpan<double> x)
    {
        var cardNotPresent = 1.0 - x[FraudFeatureIndex.CardPresent];
        var spendSpike = Logistic((Math.Log(Math.Max(x[FraudFeatureIndex.AmountToCustomerAverageRatio], 1e-6)) - Math.Log(2.5)) / 0.25);
        var hour = x[FraudFeatureIndex.HourOfDay];
        var night = hour < 5.0 || hour >= 23.0 ? 1.0 : 0.0;
        var burst = Logistic((x[FraudFeatureIndex.TransactionCountLast24h] - 6.0) / 1.0);
        var rapid = Logistic((Math.Log(120.0) - Math.Log(Math.Max(x[FraudFeatureIndex.SecondsSincePreviousTransaction], 1.0))) / 0.5);
        var far = Logistic((Math.Log(Math.Max(x[FraudFeatureIndex.DistanceFromHomeKm], 0.01)) - Math.Log(150.0)) / 0.6);
        var newAccount = Math.Exp(-Math.Max(x[FraudFeatureIndex.AccountAgeDays], 0.0) / 60.0);
        var riskyOnline = cardNotPresent * x[FraudFeatureIndex.MerchantCategoryRisk];

        return 1.8 * spendSpike
            + 1.6 * riskyOnline
            + 1.4 * spendSpike * riskyOnline
            + 1.1 * night * (0.5 + cardNotPresent)
            + 1.3 * burst
            + 1.0 * rapid
            + 1.2 * far * (1.0 + 0.5 * x[FraudFeatureIndex.Foreign])
            + 1.2 * newAccount
            + 1.0 * x[FraudFeatureIndex.NewDevice] * (0.5 + spendSpike);
    }

    /// <summary>
    /// Skimmed cards and scams on established customers: large card-present purchases at ordinary
    /// merchants, elderly cardholders in the middle of the day, long-dormant cards waking up, old accounts.
    /// </summary>
    internal static double DriftedPatternScore(ReadOnlySpan<double> x)
    {
        var cardPresent = x[FraudFeatureIndex.CardPresent];
        var hour = x[FraudFeatureIndex.HourOfDay];
        var midday = hour is >= 10.0 and < 16.0 ? 1.0 : 0.0;
        var elderly = Logistic((x[FraudFeatureIndex.CustomerAgeYears] - 70.0) / 3.0);
        var largeAmount = Logistic((Math.Log(Math.Max(x[FraudFeatureIndex.Amount], 0.01)) - Math.Log(250.0)) / 0.3);
        var dormant = Logistic((Math.Log(Math.Max(x[FraudFeatureIndex.SecondsSincePreviousTransaction], 1.0)) - Math.Log(3.0 * 86_400.0)) / 0.4);
        var oldAccount = Logistic((x[FraudFeatureIndex.AccountAgeDays] - 2_500.0) / 300.0);
        var ordinaryMerchant = 1.0 - x[FraudFeatureIndex.MerchantCategoryRisk];

        return 2.0 * elderly * (0.5 + midday)
            + 1.8 * largeAmount * cardPresent * ordinaryMerchant
            + 1.5 * dormant
            + 1.2 * oldAccount * (0.5 + cardPresent)
            + 0.8 * elderly * largeAmount;
    }

    private static double Logistic(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>Threshold at which the mean fraud probability over the undrifted population equals the rate.</summary>
    private double CalibrateThreshold(double fraudRate)
    {
        var calibration = Calibration.Value;
        var scores = new double[CalibrationRows];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = _originalWeight * calibration.Original[i] + _driftedWeight * calibration.Drifted[i];
        }

        // The mean probability falls monotonically as the threshold rises: bisect.
        double low = -20, high = 20;
        for (var iteration = 0; iteration < 60; iteration++)
        {
            var middle = 0.5 * (low + high);
            var rate = 0.0;
            foreach (var score in scores)
            {
                rate += Logistic(Sharpness * (score - middle));
            }

            if (rate / scores.Length > fraudRate)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return 0.5 * (low + high);
    }

    private static CalibrationSample BuildCalibrationSample()
    {
        var random = new Random(CalibrationSeed);
        Span<double> row = stackalloc double[FraudFeatures.Count];
        var original = new double[CalibrationRows];
        var drifted = new double[CalibrationRows];
        for (var i = 0; i < CalibrationRows; i++)
        {
            TransactionPopulation.Sample(random, row);
            original[i] = OriginalPatternScore(row);
            drifted[i] = DriftedPatternScore(row);
        }

        var (originalMean, originalDeviation) = MeanAndDeviation(original);
        var (driftedMean, driftedDeviation) = MeanAndDeviation(drifted);
        for (var i = 0; i < CalibrationRows; i++)
        {
            original[i] = (original[i] - originalMean) / originalDeviation;
            drifted[i] = (drifted[i] - driftedMean) / driftedDeviation;
        }

        return new CalibrationSample(original, drifted, originalMean, originalDeviation, driftedMean, driftedDeviation);
    }

    private static (double Mean, double Deviation) MeanAndDeviation(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        return (mean, Math.Sqrt(variance));
    }

    /// <summary>Standardized pattern scores of a fixed undrifted sample, and the standardization constants.</summary>
    private sealed record CalibrationSample(
        double[] Original,
        double[] Drifted,
        double OriginalMean,
        double OriginalDeviation,
        double DriftedMean,
        double DriftedDeviation);
}
