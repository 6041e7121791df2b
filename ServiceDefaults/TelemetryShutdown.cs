using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MlopsAspire.ServiceDefaults;

/// <summary>
/// Delivers the last traces, metrics and logs when the host stops, all at once and for at most <see cref="Budget"/>.
/// Left to themselves the providers flush one after another while the host disposes them, each waiting up to 5 s;
/// with the retry Aspire turns on (<c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c>) an export to a collector
/// that has gone keeps retrying for its whole timeout. When the platform stops, its dashboard (the collector) stops
/// with every service, so a process whose work was done in half a second lingered about 11 s and was killed by the
/// orchestrator. Registered before the services' own hosted services, so it stops after them and their last words
/// are included; once it has run, the providers are shut down and disposing them waits for nothing.
/// </summary>
/// <remarks>
/// A provider shuts down once: whoever comes first does it, and a later call returns at once. If the host disposed a
/// provider before this shutdown had begun, the disposal would do it on the host's thread, waiting up to 5 s for the
/// exporter thread's last export (which retries until its own timeout), so each shutdown starts on a thread of its
/// own rather than waiting for a thread-pool thread, which a stopping process on a busy machine may not have free.
/// Each is given the budget too: the reader stops waiting for its exporter thread when it is over, shuts the exporter
/// down, and its thread ends instead of staying blocked on an export to a collector that has gone.
/// </remarks>
public sealed partial class TelemetryShutdown(IServiceProvider services, ILogger<TelemetryShutdown> logger) : IHostedService
{
    /// <summary>How long a stopping host waits for its telemetry to be delivered.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        // Shutdown blocks its caller until the exporter's thread has finished or the budget is over: each runs on a
        // thread of its own, and the host waits for the budget, not for them.
        var budget = (int)Budget.TotalMilliseconds;
        var flushes = new List<Task<bool>>();
        if (services.GetService<TracerProvider>() is { } traces)
        {
            flushes.Add(OnThreadOfItsOwn(() => traces.Shutdown(budget)));
        }

        if (services.GetService<MeterProvider>() is { } metrics)
        {
            flushes.Add(OnThreadOfItsOwn(() => metrics.Shutdown(budget)));
        }

        if (services.GetService<LoggerProvider>() is { } logs)
        {
            flushes.Add(OnThreadOfItsOwn(() => logs.Shutdown(budget)));
        }

        try
        {
            // A shutdown given the budget as its timeout returns false when it ran out: undelivered all the same.
            var delivered = await Task.WhenAll(flushes).WaitAsync(Budget, time, cancellationToken);
            if (delivered.Contains(false))
            {
                LogUndelivered(Budget);
            }
        }
        catch (TimeoutException)
        {
            LogUndelivered(Budget);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogUndelivered(Budget);
        }
    }

    private static Task<bool> OnThreadOfItsOwn(Func<bool> shutdown) =>
        Task.Factory.StartNew(shutdown, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry not delivered within {Budget} of stopping (is the collector gone?); stopping without it")]
    private partial void LogUndelivered(TimeSpan budget);
}
