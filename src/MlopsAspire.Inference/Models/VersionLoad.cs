using MlopsAspire.Abstractions;

namespace MlopsAspire.Inference.Models;

/// <summary>How this replica holds one version it was asked to serve.</summary>
public sealed record VersionLoad(
    string Model,
    string Version,
    VersionLoadState State,
    string? Error,
    int FailedAttempts,
    DateTimeOffset? NextAttemptAt,
    long TotalFailures)
{
    public VersionLoadStatus ToStatus() => new(Version, State, Error, FailedAttempts, NextAttemptAt);
}
