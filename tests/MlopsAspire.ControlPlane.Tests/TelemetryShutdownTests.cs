using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.ServiceDefaults;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>A stopping host's telemetry shutdown against an exporter whose last export never returns.</summary>
public sealed class TelemetryShutdownTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_last_export_that_never_returns_does_not_hold_the_meter_providers_shutdown_past_the_budget()
    {
        using var meter = new Meter($"telemetry-shutdown-{Guid.NewGuid():N}");
        meter.CreateCounter<long>("requests").Add(1);
        // The reader owns its exporter and disposes it with the provider.
        var exporter = new HangingExporter();
        using var metrics = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddReader(new PeriodicExportingMetricReader(exporter, exportIntervalMilliseconds: 3_600_000))
            .Build();
        await using var services = new ServiceCollection().AddSingleton<MeterProvider>(metrics).BuildServiceProvider();
        var shutdown = new TelemetryShutdown(services, NullLogger<TelemetryShutdown>.Instance);

        try
        {
            await shutdown.StopAsync(CancellationToken.None).WaitAsync(Guard);
            await exporter.ExportStarted.WaitAsync(Guard);

            // The reader gave up waiting for its exporter thread when the budget was over and shut the exporter down,
            // so the shutdown's thread ended and the host's disposal of the provider finds it done.
            await exporter.ShutDown.WaitAsync(Guard);
        }
        finally
        {
            exporter.Release();
        }
    }

    /// <summary>Takes the first export and never answers it until released, like a collector that has gone, retried.</summary>
    private sealed class HangingExporter : BaseExporter<Metric>
    {
        private readonly ManualResetEventSlim _released = new();
        private readonly TaskCompletionSource _exportStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _shutDown = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ExportStarted => _exportStarted.Task;

        public Task ShutDown => _shutDown.Task;

        public void Release() => _released.Set();

        public override ExportResult Export(in Batch<Metric> batch)
        {
            _exportStarted.TrySetResult();
            _released.Wait();
            return ExportResult.Failure;
        }

        protected override bool OnShutdown(int timeoutMilliseconds)
        {
            _shutDown.TrySetResult();
            return true;
        }

        // Once disposed, a hanging export returns, so the exporter thread ends with the test.
        protected override void Dispose(bool disposing)
        {
            _released.Set();
            base.Dispose(disposing);
        }
    }
}
