namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>
/// The live metrics a version's first labelled rows measured: what an accuracy alert compares recent windows with.
/// Set once, from the windows up to and including <paramref name="LastWindow"/>; the monitoring grain persists it
/// and its summary reports it.
/// </summary>
/// <param name="Rows">The labelled rows the metrics were measured on.</param>
/// <remarks>
/// Stored in monitoring state as JSON by property name (earlier builds stored the same fields as
/// <c>AccuracyReference</c>, with these names), and sent between silos by <c>[Id]</c>: rename nothing, renumber nothing.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record ReferenceOutcomes(
    [property: Id(0)] long Rows,
    [property: Id(1)] double Accuracy,
    [property: Id(2)] double Auc,
    [property: Id(3)] double LogLoss,
    [property: Id(4)] double MacroF1,
    [property: Id(5)] double MeanAbsoluteError,
    [property: Id(6)] double RootMeanSquaredError,
    [property: Id(7)] DateTimeOffset LastWindow);
