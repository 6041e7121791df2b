namespace MlopsAspire.Abstractions.Retraining;

/// <summary>Why a run was requested: kind (manual, schedule, alert), what exactly, and who asked.</summary>
[GenerateSerializer, Immutable]
public sealed record RetrainingTrigger(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Detail,
    [property: Id(2)] string RequestedBy,
    [property: Id(3)] DateTimeOffset? DataFrom = null)
{
    public const string Manual = "manual";
    public const string Scheduled = "schedule";
    public const string Alert = "alert";

    public override string ToString() => $"{Kind} by {RequestedBy}: {Detail}";
}
