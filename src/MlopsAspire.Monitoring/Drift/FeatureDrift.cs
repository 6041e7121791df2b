
namespace MlopsAspire.Monitoring.Drift;

/// <summary>Drift of one feature (or prediction) in one window against the reference profile.</summary>
public sealed record FeatureDrift(
    string Name,
    long Rows,
    double PopulationStabilityIndex,
    double JensenShannonDistance,
    double KolmogorovSmirnov,
    double KolmogorovSmirnovPValue,
    double Wasserstein,
    DriftSeverity WindowSeverity,
    DriftSeverity Severity);
