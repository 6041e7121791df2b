namespace MlopsAspire.Inference.Models;

/// <summary>One row of the repository index: a model version and whether it serves.</summary>
public sealed record RepositoryIndexEntry(string Name, string Version, string State, string Reason)
{
    public const string Ready = "READY";
    public const string Loading = "LOADING";
    public const string Unavailable = "UNAVAILABLE";
}
