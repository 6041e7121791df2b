namespace MlopsAspire.Monitoring.Gates;

/// <summary>
/// A gate's verdict. <see cref="Decided"/> is false while the evidence is too thin (minimum rows or duration not
/// reached); then <see cref="Passed"/> is false too, nothing automatic may happen, and the checks other than the
/// evidence ones say how the candidate stands so far.
/// </summary>
public sealed record GateResult(bool Decided, bool Passed, IReadOnlyList<GateCheck> Checks)
{
    /// <summary>The check that enough rows were scored.</summary>
    public const string MinimumRowsCheck = "minimum_rows";

    /// <summary>The check that the candidate was observed long enough.</summary>
    public const string MinimumDurationCheck = "minimum_duration";

    /// <summary>The checks that say whether there is enough evidence to decide.</summary>
    public static readonly IReadOnlySet<string> EvidenceChecks = new HashSet<string>(StringComparer.Ordinal) { MinimumRowsCheck, MinimumDurationCheck };

    public IEnumerable<GateCheck> Failures => Checks.Where(check => !check.Passed && !check.Skipped);

    public string Summary
    {
        get
        {
            if (Decided)
            {
                return Passed ? "all checks passed" : string.Join("; ", Failures.Select(c => c.Detail));
            }

            var thin = Failures.Where(check => EvidenceChecks.Contains(check.Name)).Select(check => check.Detail);
            var failingSoFar = Failures.Where(check => !EvidenceChecks.Contains(check.Name)).Select(check => check.Detail).ToList();
            return "not enough evidence yet: " + string.Join("; ", thin)
                + (failingSoFar.Count > 0 ? "; failing so far: " + string.Join("; ", failingSoFar) : string.Empty);
        }
    }
}
