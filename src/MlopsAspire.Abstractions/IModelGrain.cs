namespace MlopsAspire.Abstractions;

/// <summary>One model (keyed by its name): its versions, the production alias and the audit trail.</summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Adds a version (numbered 1, 2, ...). Registering the same artifact again returns the existing version.</summary>
    Task<ModelVersionInfo> RegisterVersionAsync(RegisterVersionRequest request);

    /// <summary>Records validation: Registered → Validating → Ready, or Failed with the reason.</summary>
    Task<ModelVersionInfo> RecordValidationAsync(string version, ValidationReport report, string actor);

    /// <summary>Makes a validated version the production version; the previous one returns to Ready.</summary>
    Task<ModelVersionInfo> PromoteAsync(string version, string actor, string reason);

    /// <summary>The model with its versions, or <see cref="ModelNotFoundException"/> if nothing was registered.</summary>
    Task<ModelInfo> GetAsync();

    Task<bool> ExistsAsync();

    Task<IReadOnlyList<AuditEvent>> GetAuditLogAsync();
}
