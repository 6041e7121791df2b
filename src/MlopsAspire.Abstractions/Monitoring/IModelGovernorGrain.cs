namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>
/// The promotion gates of one model (key: model name): holds its <see cref="PromotionPolicyData"/>, judges each
/// shadow and canary version against production (and production against the version it replaced) from
/// monitoring evidence, and, when the policy allows, promotes a candidate that passes or rolls back a live
/// version that fails. Every automatic action goes through the model grain, so it is guarded and audited.
/// </summary>
public interface IModelGovernorGrain : IGrainWithStringKey
{
    Task SetPolicy(PromotionPolicyData policy);

    Task<PromotionPolicyData> GetPolicy();

    /// <summary>Judges every candidate now; with <paramref name="act"/> also applies the automatic actions the policy enables.</summary>
    Task<IReadOnlyList<GateReport>> Evaluate(bool act);

    /// <summary>The gate verdict for promoting <paramref name="version"/> by hand (checked before a manual promotion).</summary>
    Task<GateReport> CheckPromotion(string version);
}

/// <summary>One check of a gate, as reported to operators.</summary>
[GenerateSerializer, Immutable]
public sealed record GateCheckData(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Passed,
    [property: Id(2)] bool Skipped,
    [property: Id(3)] double Actual,
    [property: Id(4)] double Limit,
    [property: Id(5)] string Detail);

/// <summary>A gate verdict for one version: what it is (shadow, canary, production), against what, and the checks.</summary>
[GenerateSerializer, Immutable]
public sealed record GateReport(
    [property: Id(0)] string ModelName,
    [property: Id(1)] string Version,
    [property: Id(2)] string Role,
    [property: Id(3)] string? BaselineVersion,
    [property: Id(4)] bool Decided,
    [property: Id(5)] bool Passed,
    [property: Id(6)] string Summary,
    [property: Id(7)] IReadOnlyList<GateCheckData> Checks,
    [property: Id(8)] string? ActionTaken,
    [property: Id(9)] DateTimeOffset EvaluatedAt);
