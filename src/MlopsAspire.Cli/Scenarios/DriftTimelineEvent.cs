namespace MlopsAspire.Cli.Scenarios;

/// <summary>Something that changed during the run, at its time since the start.</summary>
public sealed record DriftTimelineEvent(TimeSpan At, DriftEventKind Kind, string Version, string Detail);
