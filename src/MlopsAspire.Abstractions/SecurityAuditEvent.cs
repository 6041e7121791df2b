namespace MlopsAspire.Abstractions;

/// <summary>
/// A refused call: who (the key's name, or a fingerprint of an unknown key, never the key), what, the outcome
/// (<c>unauthenticated</c>, <c>permission-denied</c>, or <c>suppressed</c> for a summary of refusals a caller
/// made beyond what is recorded one by one), the model it named, if any, and the address it came from.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SecurityAuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Caller,
    [property: Id(2)] string Operation,
    [property: Id(3)] string Outcome,
    [property: Id(4)] string Detail,
    [property: Id(5)] string? ModelName,
    [property: Id(6)] string? Peer = null)
{
    /// <summary>This event with every field bounded and escaped as <see cref="AuditText"/> says.</summary>
    public SecurityAuditEvent Bounded() => new(
        At,
        AuditText.Name(Caller),
        AuditText.Name(Operation),
        AuditText.Name(Outcome),
        AuditText.Text(Detail),
        AuditText.Name(ModelName),
        AuditText.Name(Peer));
}
