using MlopsAspire.ModelContracts;

namespace MlopsAspire.Monitoring.Alerts;

/// <summary>An alert to raise, or an active one to clear, with what it is about and why.</summary>
public sealed record AlertDecision(AlertKind Kind, string Subject, bool Raise, string Detail)
{
    /// <summary>Identifies the alert among a version's active ones: one per kind and subject.</summary>
    public string Key => KeyOf(Kind, Subject);

    public static string KeyOf(AlertKind kind, string subject) => $"{kind.Name()}:{subject}";
}
