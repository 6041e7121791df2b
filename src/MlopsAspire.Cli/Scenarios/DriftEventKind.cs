namespace MlopsAspire.Cli.Scenarios;

public enum DriftEventKind
{
    /// <summary>The routes as first read.</summary>
    RoutesObserved,
    DriftStarted,
    VersionRegistered,
    VersionStateChanged,
    ShadowStarted,
    ShadowEnded,
    CanaryChanged,
    ProductionChanged,
}
