namespace MlopsAspire.Cli.Scenarios;

/// <summary>How a model routes traffic at one moment, as the scenario reads it from the management API.</summary>
public sealed record ModelRoutes(string Production, string Canary, int CanaryWeightPercent, IReadOnlyList<string> Shadows, IReadOnlyDictionary<string, string> VersionStates);
