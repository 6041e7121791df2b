namespace MlopsAspire.Monitoring.Drift;

/// <summary>
/// When a feature counts as drifting. Defaults follow common practice: PSI 0.1 is a warning and 0.25 an
/// alert; a Jensen-Shannon distance of 0.1 is a warning. A warning sustained over
/// <see cref="ConsecutiveWarningsForAlert"/> windows becomes an alert, so a real but moderate shift is
/// reported while a single noisy window is not.
/// </summary>
public sealed record DriftThresholds
{
    public double PsiWarning { get; init; } = 0.1;

    public double PsiAlert { get; init; } = 0.25;

    public double JensenShannonWarning { get; init; } = 0.1;

    public double JensenShannonAlert { get; init; } = 0.2;

    public int ConsecutiveWarningsForAlert { get; init; } = 3;

    /// <summary>Windows with fewer rows are not judged: too few to tell drift from noise.</summary>
    public long MinimumRows { get; init; } = 200;

    public static DriftThresholds Default { get; } = new();

    public void Validate()
    {
        if (!(PsiWarning > 0 && PsiAlert >= PsiWarning))
        {
            throw new ArgumentException($"PSI thresholds need 0 < warning ≤ alert; got warning {PsiWarning}, alert {PsiAlert}");
        }

        if (!(JensenShannonWarning > 0 && JensenShannonAlert >= JensenShannonWarning && JensenShannonAlert <= 1))
        {
            throw new ArgumentException($"Jensen-Shannon thresholds need 0 < warning ≤ alert ≤ 1; got {JensenShannonWarning}, {JensenShannonAlert}");
        }

        if (ConsecutiveWarningsForAlert < 1 || MinimumRows < 1)
        {
            throw new ArgumentException("consecutive warnings and minimum rows must be at least 1");
        }
    }
}
