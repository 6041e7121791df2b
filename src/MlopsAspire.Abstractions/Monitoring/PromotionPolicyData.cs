namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>
/// A promotion policy as grains receive and store it: the monitoring library's PromotionPolicy (which defines each
/// field, its default and its limits) field for field, under the same names (null limits are switched off).
/// </summary>
/// <remarks>Stored as JSON by property name and sent between silos by <c>[Id]</c>: fields are only added, with a new id.</remarks>
[GenerateSerializer, Immutable]
public sealed record PromotionPolicyData(
    [property: Id(0)] long MinimumRows,
    [property: Id(1)] TimeSpan MinimumDuration,
    [property: Id(2)] double? MinimumShadowAgreement,
    [property: Id(3)] double? MaximumMeanScoreDelta,
    [property: Id(4)] double? MaximumP99Ratio,
    [property: Id(5)] double? MaximumErrorRate,
    [property: Id(6)] double? MaximumAccuracyDrop,
    [property: Id(7)] long MinimumLabelledRows,
    [property: Id(8)] bool AutoPromote,
    [property: Id(9)] bool AutoRollback,
    [property: Id(10)] TimeSpan EvaluationSpan);
