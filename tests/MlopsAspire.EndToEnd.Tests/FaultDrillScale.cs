using System.Globalization;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// How large the fault drills are. The defaults are the end-to-end suite's short version (a small cluster, seconds of
/// observation); <c>perf/faults/faults.sh</c> sets the full one through <c>MLOPS_FAULTS_*</c> variables and collects the
/// figures each drill appends to <c>MLOPS_FAULTS_FIGURES</c>.
/// </summary>
public sealed record FaultDrillScale(
    int Silos, int Replicas, double Rate, int BaselineSeconds, int ObserveSeconds, int OutageSeconds, string? FiguresFile)
{
    public static FaultDrillScale FromEnvironment() => new(
        Silos: (int)Read("MLOPS_FAULTS_SILOS", 2),
        Replicas: (int)Read("MLOPS_FAULTS_REPLICAS", 2),
        Rate: Read("MLOPS_FAULTS_RATE", 50),
        BaselineSeconds: (int)Read("MLOPS_FAULTS_BASELINE_SECONDS", 3),
        ObserveSeconds: (int)Read("MLOPS_FAULTS_OBSERVE_SECONDS", 5),
        OutageSeconds: (int)Read("MLOPS_FAULTS_OUTAGE_SECONDS", 5),
        FiguresFile: Environment.GetEnvironmentVariable("MLOPS_FAULTS_FIGURES"));

    private static double Read(string variable, double defaultValue) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : defaultValue;
}
