using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Validation;

/// <summary>
/// The validation report of an artifact that can be registered (passed, or failed its smoke inference); or, when
/// <see cref="Refusal"/> is set, why it is refused, in <see cref="ValidationReport.Detail"/>.
/// </summary>
public sealed record ArtifactCheck(ValidationReport Report, ArtifactRefusal Refusal = ArtifactRefusal.None)
{
    public static ArtifactCheck Refuse(ArtifactRefusal refusal, string detail) =>
        new(new ValidationReport(false, detail, [], [], new Dictionary<int, double>()), refusal);
}
