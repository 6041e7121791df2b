namespace MlopsAspire.Abstractions;

/// <summary>One entry of a model's append-only audit trail; <see cref="Revision"/> is the model's revision after it.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? Version,
    [property: Id(4)] string? From,
    [property: Id(5)] string? To,
    [property: Id(6)] string Reason,
    [property: Id(7)] long Revision = 0)
{
    /// <summary>This event with every field bounded and escaped as <see cref="AuditText"/> says.</summary>
    public AuditEvent Bounded() => this with
    {
        Actor = AuditText.Name(Actor),
        Action = AuditText.Name(Action),
        Version = AuditText.Name(Version),
        From = AuditText.Name(From),
        To = AuditText.Name(To),
        Reason = AuditText.Text(Reason),
    };
}
