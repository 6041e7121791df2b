using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// The same cluster on a clock the test moves, for behaviour that waits hours (schedules, cool-downs, reminders).
/// Grains, their timers and reminders read the test's clock; the silo's own machinery (membership, messaging,
/// activation collection, directory) keeps real time, so moving the clock neither expires silos nor collects grains.
/// </summary>
public sealed class FakeClockClusterFixture : ClusterFixture
{
    private static readonly string[] RealTimeAreas =
    [
        TimeProviderNames.Membership,
        TimeProviderNames.Messaging,
        TimeProviderNames.SystemTimers,
        TimeProviderNames.ActivationManagement,
        TimeProviderNames.GrainDirectory,
    ];

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Clock => Time;

    protected override void AddClocks(IServiceCollection services)
    {
        base.AddClocks(services);
        foreach (var area in RealTimeAreas)
        {
            services.AddKeyedSingleton(area, TimeProvider.System);
        }
    }
}
