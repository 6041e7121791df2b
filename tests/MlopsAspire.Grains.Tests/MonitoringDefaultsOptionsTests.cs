using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Grains.Monitoring;

namespace MlopsAspire.Grains.Tests;

public sealed class MonitoringDefaultsOptionsTests
{
    [Fact]
    public void The_silo_configuration_sets_how_many_windows_accuracy_is_judged_over()
    {
        Assert.Equal(MonitoringPolicy.Default.RecentAccuracyWindows, new MonitoringDefaultsOptions().ToPolicy().RecentAccuracyWindows);
        Assert.Equal(15, new MonitoringDefaultsOptions { AccuracyWindows = 15 }.ToPolicy().RecentAccuracyWindows);
        Assert.Throws<ArgumentException>(() => new MonitoringDefaultsOptions { AccuracyWindows = -1 }.ToPolicy());
    }
}
