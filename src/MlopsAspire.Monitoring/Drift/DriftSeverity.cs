namespace MlopsAspire.Monitoring.Drift;

public enum DriftSeverity
{
    None,
    Warning,
    Alert,
}
