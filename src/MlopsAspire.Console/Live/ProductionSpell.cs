namespace MlopsAspire.Console.Live;

/// <summary>A time a version was in production: from when, until when (null: still), and who moved it there, how and why.</summary>
public sealed record ProductionSpell(string Version, DateTimeOffset From, DateTimeOffset? Until, string Actor, string Action, string Reason);
