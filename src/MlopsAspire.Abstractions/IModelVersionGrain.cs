using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Abstractions;

/// <summary>
/// One version of a model (key <c>name/version</c>, see <see cref="ModelVersionKey"/>): artifact, signature,
/// provenance, validation and lifecycle state. Lifecycle changes come only from its model grain, which owns the
/// aliases and decides transitions that involve several versions; the version itself refuses a state change the
/// lifecycle does not allow.
/// </summary>
public interface IModelVersionGrain : IGrainWithStringKey
{
    /// <summary>Stores the version's record when it is registered; a second call returns the stored record.</summary>
    Task<ModelVersionInfo> CreateAsync(ModelVersionInfo version);

    /// <summary>The version, or <see cref="ModelNotFoundException"/> when it was never registered.</summary>
    Task<ModelVersionInfo> GetAsync();

    /// <summary>Moves to <paramref name="target"/> (recording <paramref name="validation"/> if given); moving to the current state changes nothing.</summary>
    Task<ModelVersionInfo> MoveAsync(ModelVersionState target, ValidationReport? validation);

    /// <summary>Stores the reference distribution monitoring measures drift against.</summary>
    Task<ModelVersionInfo> SetReferenceProfileAsync(ReferenceProfileData profile);
}
