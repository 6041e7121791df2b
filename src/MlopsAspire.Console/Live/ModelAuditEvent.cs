using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>An event of a model's audit trail, with the model it belongs to (the events themselves do not name it).</summary>
public sealed record ModelAuditEvent(string Model, AuditEvent Event);
