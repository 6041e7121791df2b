namespace MlopsAspire.FraudData;

/// <summary>Mean and standard deviation per feature, in <see cref="FraudFeatures.Names"/> order.</summary>
internal sealed record PopulationStatistics(IReadOnlyList<double> Means, IReadOnlyList<double> StandardDeviations);
