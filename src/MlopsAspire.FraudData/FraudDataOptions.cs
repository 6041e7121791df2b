using System.Collections.ObjectModel;

namespace MlopsAspire.FraudData;

/// <summary>Knobs of <see cref="FraudDataGenerator"/>: seed, class balance and drift.</summary>
public sealed record FraudDataOptions
{
    /// <summary>Seed of the row stream: equal options give equal rows.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Share of fraudulent rows in the undrifted population, in (0, 1). Concept drift keeps this rate;
    /// covariate drift may change it, because it moves transactions into riskier (or safer) regions.
    /// </summary>
    public double FraudRate { get; init; } = 0.03;

    /// <summary>
    /// Covariate drift per feature name (see <see cref="FraudFeatures.Names"/>): the feature's mean moves
    /// by this many of its reference standard deviations (<see cref="FraudFeatures.ReferenceStandardDeviations"/>).
    /// Continuous features and counts are translated, flags change their probability of being 1.
    /// Values are kept in their physical range (non-negative amounts and counts, hour in [0, 24), flags in {0, 1}),
    /// so a shift that pushes many rows against a bound moves the mean less than requested. Empty means none.
    /// </summary>
    public IReadOnlyDictionary<string, double> FeatureShift { get; init; } = ReadOnlyDictionary<string, double>.Empty;

    /// <summary>Covariate drift applied to every feature, in standard deviations, added to <see cref="FeatureShift"/>.</summary>
    public double GlobalShift { get; init; }

    /// <summary>
    /// Concept drift in [0, 1]: 0 labels rows with the original fraud pattern, 1 with a different pattern
    /// driven by other features, values between blend the two. Input distributions do not change.
    /// </summary>
    public double ConceptDrift { get; init; }
}
