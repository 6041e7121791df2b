using MlopsAspire.Abstractions;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.Grains.Contracts;

/// <summary>A registered version's contract and monitoring plan, read from its config document and signature.</summary>
public static class VersionContracts
{
    /// <summary>The contract of the version's config document (validated at registration); none when it has no config.</summary>
    public static ModelContract Contract(this ModelVersionInfo version) =>
        ModelContractReader.Parse(version.ServingConfigJson, $"config of {version.ModelName} version {version.Version}");

    /// <summary>What monitoring does for the version, and what it cannot.</summary>
    public static MonitoringPlan MonitoringPlan(this ModelVersionInfo version)
    {
        var signature = version.Signature ?? new ModelSignature([], []);
        return ModelContracts.MonitoringPlan.For(version.Contract(), Describe(signature.Inputs), Describe(signature.Outputs));
    }

    public static IReadOnlyList<TensorDescription> Describe(IReadOnlyList<TensorSignature> tensors) =>
        [.. tensors.Select(tensor => new TensorDescription(tensor.Name, tensor.Datatype, tensor.Shape))];
}
