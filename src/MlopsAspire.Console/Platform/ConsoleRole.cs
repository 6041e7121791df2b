namespace MlopsAspire.Console.Platform;

/// <summary>The management API's roles, ordered: each includes the ones below it.</summary>
public enum ConsoleRole
{
    /// <summary>Sees models, statistics, gates and the audit trail.</summary>
    Reader = 1,

    /// <summary>Also shadows, canaries, promotes, rolls back, retires and retrains.</summary>
    Operator = 2,

    /// <summary>Also sees the security audit.</summary>
    Admin = 3,
}
