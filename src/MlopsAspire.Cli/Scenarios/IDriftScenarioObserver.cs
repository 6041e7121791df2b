
namespace MlopsAspire.Cli.Scenarios;

/// <summary>Hears of each closed bucket and each timeline event while a <see cref="DriftScenario"/> runs; calls never overlap.</summary>
public interface IDriftScenarioObserver
{
    void BucketClosed(DriftBucket bucket);

    void EventRecorded(DriftTimelineEvent timelineEvent);
}
