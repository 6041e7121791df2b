namespace MlopsAspire.Abstractions.Monitoring;

[GenerateSerializer, Immutable]
public sealed record ShadowComparisonData(
    [property: Id(0)] long Compared,
    [property: Id(1)] long LabelAgreements,
    [property: Id(2)] double SumAbsoluteDifference,
    [property: Id(3)] double MaxAbsoluteDifference,
    [property: Id(4)] double SumRelativeDifference,
    [property: Id(5)] long Dropped)
{
    /// <summary>Share of compared rows whose labels agreed; NaN before any comparison.</summary>
    public double Agreement => Compared == 0 ? double.NaN : (double)LabelAgreements / Compared;

    /// <summary>Mean |production score − shadow score|; NaN before any comparison.</summary>
    public double MeanAbsoluteDifference => Compared == 0 ? double.NaN : SumAbsoluteDifference / Compared;
}
