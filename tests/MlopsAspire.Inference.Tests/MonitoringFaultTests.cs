using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// Monitoring never fails a request: what goes wrong while a request is observed (the pipeline) or recorded (the
/// transport's accounting) is counted on one counter for the replica and logged once, not once per part.
/// </summary>
public sealed class MonitoringFaultTests
{
    [Fact]
    public void Faults_from_every_part_of_the_request_path_count_on_one_counter_and_are_logged_once()
    {
        var logger = new FakeLogger<ReplicaMonitoring>();
        var monitoring = new ReplicaMonitoring(TimeProvider.System, logger);

        monitoring.CountFault(new InvalidOperationException("observing failed"));
        monitoring.CountFault(new InvalidOperationException("recording failed"));
        Parallel.For(0, 100, _ => monitoring.CountFault(new InvalidOperationException("again")));

        Assert.Equal(102, monitoring.Faults);
        var logged = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Equal("observing failed", logged.Exception?.Message);
    }

    [Fact]
    public void A_replica_without_a_logger_still_counts()
    {
        var monitoring = new ReplicaMonitoring(TimeProvider.System);

        monitoring.CountFault(new InvalidOperationException("no logger"));

        Assert.Equal(1, monitoring.Faults);
    }

    [Fact]
    public void The_replica_exports_its_fault_count()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var repository = new ModelRepository();
        var meters = services.GetRequiredService<IMeterFactory>();
        var monitoring = new ReplicaMonitoring(TimeProvider.System);
        _ = new InferenceMetrics(meters, repository, monitoring: monitoring);
        monitoring.CountFault(new InvalidOperationException("one"));
        monitoring.CountFault(new InvalidOperationException("two"));

        long? exported = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "mlops.inference.monitoring.faults")
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => exported = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(2, exported);
    }
}
