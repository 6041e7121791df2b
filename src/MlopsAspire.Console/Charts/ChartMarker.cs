namespace MlopsAspire.Console.Charts;

/// <summary>
/// Something that happened at <paramref name="X"/>, drawn as a vertical line: <paramref name="Kind"/> is
/// <see cref="Alert"/> for a monitoring alert raised, <see cref="Lifecycle"/> for anything else in the audit trail
/// (shadow, promotion, rollback, an alert cleared…).
/// </summary>
public sealed record ChartMarker(double X, string Label, string Kind)
{
    public const string Alert = "alert";
    public const string Lifecycle = "lifecycle";
}
