namespace MlopsAspire.Grains;

public static class GrainStorageNames
{
    /// <summary>The grain storage provider holding model and registry state (Redis protocol store).</summary>
    public const string Models = "Default";
}
