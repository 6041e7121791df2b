namespace MlopsAspire.LoadTest.Cli;

public enum LoadTestVerb
{
    Run,
    Baselines,
    List,
    Help,

    /// <summary>Writes the demo models as a replica's model folder.</summary>
    Models,
}
