namespace MlopsAspire.ControlPlane.Tests;

/// <summary>Runs alone, so that the control plane's peak memory it reads belongs to the registration it makes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "alone";
}
