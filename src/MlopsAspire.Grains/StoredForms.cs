using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Grains;

/// <summary>
/// Copies of records whose collections are plain lists and dictionaries. Redis grain storage writes JSON with
/// each collection's runtime type; a collection built by a collection expression has a compiler-generated type
/// that cannot be resolved when the state is read back, so nothing is persisted without passing through here.
/// </summary>
internal static class StoredForms
{
    public static ModelVersionInfo Of(ModelVersionInfo version) => version with
    {
        OfflineMetrics = new Dictionary<string, double>(version.OfflineMetrics),
        Validation = version.Validation is { } validation ? Of(validation) : null,
        Signature = version.Signature is { } signature ? Of(signature) : null,
        Lineage = version.Lineage is { } lineage
            ? lineage with { Reference = lineage.Reference is { } reference ? Of(reference) : null }
            : null,
    };

    public static ModelRoute Of(ModelRoute route) => route with
    {
        Versions = route.Versions.ToList(),
        Shadows = route.Shadows?.ToList(),
    };

    private static ValidationReport Of(ValidationReport report) => report with
    {
        Inputs = report.Inputs.Select(Of).ToList(),
        Outputs = report.Outputs.Select(Of).ToList(),
        LatencyMillisecondsByBatchSize = new Dictionary<int, double>(report.LatencyMillisecondsByBatchSize),
    };

    private static ModelSignature Of(ModelSignature signature) =>
        new(signature.Inputs.Select(Of).ToList(), signature.Outputs.Select(Of).ToList());

    private static TensorSignature Of(TensorSignature tensor) => tensor with { Shape = tensor.Shape.ToList() };

    private static ReferenceProfileData Of(ReferenceProfileData profile) => profile with
    {
        Features = profile.Features.ToList(),
        Predictions = profile.Predictions.ToList(),
    };
}
