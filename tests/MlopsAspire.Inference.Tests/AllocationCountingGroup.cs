namespace MlopsAspire.Inference.Tests;

/// <summary>Runs alone: its tests count what the whole process allocates while a refusal is made.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCountingGroup
{
    public const string Name = "allocation counting";
}
