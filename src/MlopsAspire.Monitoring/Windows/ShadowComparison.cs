
namespace MlopsAspire.Monitoring.Windows;

/// <summary>How a shadow version's outputs compared with production's on the same rows.</summary>
public sealed class ShadowComparison
{
    /// <summary>Rows scored by both versions.</summary>
    public long Compared { get; set; }

    /// <summary>Rows whose predicted label was the same.</summary>
    public long LabelAgreements { get; set; }

    public double SumAbsoluteDifference { get; set; }

    public double MaxAbsoluteDifference { get; set; }

    public double SumRelativeDifference { get; set; }

    /// <summary>Shadow requests dropped (queue full or timed out): never scored, never delaying production.</summary>
    public long Dropped { get; set; }

    public double Agreement => Compared == 0 ? double.NaN : (double)LabelAgreements / Compared;

    public double MeanAbsoluteDifference => Compared == 0 ? double.NaN : SumAbsoluteDifference / Compared;

    public void Record(bool labelsAgree, double productionScore, double shadowScore)
    {
        Compared++;
        if (labelsAgree)
        {
            LabelAgreements++;
        }

        var difference = Math.Abs(productionScore - shadowScore);
        SumAbsoluteDifference += difference;
        MaxAbsoluteDifference = Math.Max(MaxAbsoluteDifference, difference);
        SumRelativeDifference += difference / Math.Max(Math.Abs(productionScore), 1e-6);
    }

    public void Merge(ShadowComparison other)
    {
        Compared += other.Compared;
        LabelAgreements += other.LabelAgreements;
        SumAbsoluteDifference += other.SumAbsoluteDifference;
        MaxAbsoluteDifference = Math.Max(MaxAbsoluteDifference, other.MaxAbsoluteDifference);
        SumRelativeDifference += other.SumRelativeDifference;
        Dropped += other.Dropped;
    }

    public ShadowComparison Clone() => (ShadowComparison)MemberwiseClone();
}
