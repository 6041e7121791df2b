using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Grains;

/// <summary>Holds one version's record and refuses state changes the lifecycle does not allow.</summary>
public sealed class ModelVersionGrain(
    [PersistentState("version", GrainStorageNames.Models)] IPersistentState<ModelVersionRecord> state)
    : Grain, IModelVersionGrain
{
    public async Task<ModelVersionInfo> CreateAsync(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Key != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"Version {version.Key} does not belong in grain {this.GetPrimaryKeyString()}.", nameof(version));
        }

        if (state.State.Version is { } existing)
        {
            return existing;
        }

        state.State.Version = StoredForms.Of(version);
        await state.WriteStateAsync();
        return state.State.Version;
    }

    public Task<ModelVersionInfo> GetAsync() => Task.FromResult(Current);

    public async Task<ModelVersionInfo> MoveAsync(ModelVersionState target, ValidationReport? validation)
    {
        var current = Current;
        if (current.State == target && validation is null)
        {
            return current;
        }

        if (current.State != target && !ModelVersionStates.CanMove(current.State, target))
        {
            throw new LifecycleViolationException(
                $"Version '{current.Version}' of model '{current.ModelName}' is {current.State} and cannot become {target}; "
                + $"from {current.State} it can become: {Describe(ModelVersionStates.NextStates(current.State))}.");
        }

        var moved = current with { State = target, Validation = validation ?? current.Validation };
        if (validation is { Passed: true } && current.Signature is null)
        {
            moved = moved with { Signature = new ModelSignature(validation.Inputs, validation.Outputs) };
        }

        state.State.Version = StoredForms.Of(moved);
        await state.WriteStateAsync();
        return state.State.Version;
    }

    public async Task<ModelVersionInfo> SetReferenceProfileAsync(ReferenceProfileData profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var current = Current;
        var lineage = (current.Lineage ?? new ModelLineage(null, null)) with { Reference = profile };
        state.State.Version = StoredForms.Of(current with { Lineage = lineage });
        await state.WriteStateAsync();
        return state.State.Version;
    }

    private ModelVersionInfo Current
    {
        get
        {
            if (state.State.Version is { } version)
            {
                return version;
            }

            var (model, number) = ModelVersionKey.Parse(this.GetPrimaryKeyString());
            throw new ModelNotFoundException($"Model '{model}' has no version '{number}'.");
        }
    }

    private static string Describe(IReadOnlyList<ModelVersionState> states) =>
        states.Count == 0 ? "nothing (it is final)" : string.Join(", ", states);
}
