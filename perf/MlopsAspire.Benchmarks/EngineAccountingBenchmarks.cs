using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlopsAspire.Serving.Statistics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// What the engine records for one answered request of batch 1 (its statistics and one execution), from 4 threads
/// at once as a busy replica's requests are, while an OpenTelemetry meter provider exports the engine's meter as on
/// the platform (OTLP, to an endpoint where nothing listens: the cost here is recording, not sending).
/// </summary>
[MemoryDiagnoser]
public class EngineAccountingBenchmarks
{
    private const int Threads = 4;
    private const int RequestsPerThread = 1_000;

    private ServiceProvider _services = null!;
    private MeterProvider _meterProvider = null!;
    private ModelStatistics _statistics = null!;

    [GlobalSetup]
    public void SetUp()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ServingMetrics.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri("http://127.0.0.1:9");
                exporter.Protocol = OtlpExportProtocol.Grpc;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000;
            })
            .Build();
        var metrics = new ServingMetrics(_services.GetRequiredService<IMeterFactory>());
        _statistics = new ModelStatistics("fraud", "1");
        metrics.Attach(_statistics);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _statistics.Detach();
        _meterProvider.Dispose();
        _services.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Threads * RequestsPerThread, Description = "engine's record of one request, exported, 4 threads")]
    public void RecordRequests() => Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
    {
        for (var i = 0; i < RequestsPerThread; i++)
        {
            _statistics.RequestStarted();
            _statistics.RecordExecution(1, 0, 9_000, 0);
            _statistics.RecordSuccess(1, 1_000, 500, 9_000, 500, 12_000);
        }
    });
}
