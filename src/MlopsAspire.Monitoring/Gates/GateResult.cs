namespace MlopsAspire.Monitoring.Gates;

/// <summary>
/// A gate's verdict. <see cref="Decided"/> is false while the evidence is too thin (minimum rows or duration not
/// reached); then <see cref="Passed"/> is false too, and nothing automatic may happen.
/// </summary>
public sealed record GateResult(bool Decided, bool Passed, IReadOnlyList<GateCheck> Checks)
{
    public IEnumerable<GateCheck> Failures => Checks.Where(check => !check.Passed && !check.Skipped);

    public string Summary => !Decided
        ? "not enough evidence yet: " + string.Join("; ", Checks.Where(c => !c.Passed).Select(c => c.Detail))
        : Passed
            ? "all checks passed"
            : string.Join("; ", Failures.Select(c => c.Detail));
}
