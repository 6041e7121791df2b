using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Inference.Protocol;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// A request is accounted once, when its response is encoded: the request metric and the version's monitoring
/// window take it from one record, with one latency.
/// </summary>
public sealed class RequestAccountingTests : IDisposable
{
    private readonly ModelRepository _repository = new();
    private readonly ReplicaMonitoring _monitoring = new(TimeProvider.System);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PredictionPipeline _pipeline;
    private readonly RequestAccounting _accounting;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(double Seconds, Dictionary<string, object?> Tags)> _durations = new();

    public RequestAccountingTests()
    {
        _repository.Add(OnnxModel.Load("pairs", "1", IdentityModels.Create(elementType: 1, "x", "y", [-1, 2]), new OnnxModelOptions { IntraOpThreads = 1 }));
        _repository.SetDefaultVersion("pairs", "1");
        _pipeline = new PredictionPipeline(
            new InferenceEngine(_repository),
            new TrafficRoutes(),
            _monitoring,
            Options.Create(new MonitoringOptions()),
            NullLogger<PredictionPipeline>.Instance,
            new DiscardingMonitoringSink());
        var meters = _services.GetRequiredService<IMeterFactory>();
        _accounting = new RequestAccounting(new InferenceMetrics(meters, _repository), _monitoring);
        // This host's meter only: other tests in this process have meters of the same name.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "mlops.inference.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            _durations.Enqueue((value, tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value))));
        _listener.Start();
    }

    [Fact]
    public async Task An_answered_request_is_recorded_when_completed_with_the_same_latency_in_its_metric_and_its_window()
    {
        var record = new RequestRecord("pairs", null, InferenceProtocol.Grpc);
        using (await _pipeline.InferAsync(Request(columns: 2), record, CancellationToken.None))
        {
        }

        Assert.Equal(("pairs", "1"), (record.AnsweredModel, record.AnsweredVersion));
        Assert.Equal(0, Drain().RequestCount);
        Assert.Empty(_durations);

        _accounting.Complete(record, StatusCode.OK);

        var statistics = Drain();
        var (seconds, tags) = Assert.Single(_durations);
        Assert.Equal(1, statistics.RequestCount);
        Assert.Equal(1, statistics.TotalLatency.Count);
        Assert.Equal(seconds * 1e6, statistics.TotalLatency.MaxRecordedMicroseconds, precision: 6);
        Assert.Equal("1", tags["version"]);
        Assert.Equal("OK", tags["status"]);
        Assert.Equal(InferenceProtocol.Grpc, tags["protocol"]);
    }

    [Fact]
    public async Task A_failure_of_a_served_version_counts_against_it_once_by_its_kind()
    {
        var record = new RequestRecord("pairs", "1", InferenceProtocol.Rest);
        var failure = await Assert.ThrowsAsync<InferenceException>(async () => await _pipeline.InferAsync(Request(columns: 3), record, CancellationToken.None));
        Assert.Equal(InferenceErrorKind.InvalidArgument, failure.Kind);

        _accounting.Complete(record, StatusCode.InvalidArgument);

        var statistics = Drain();
        Assert.Equal(1, statistics.ErrorsByStatus["InvalidArgument"]);
        Assert.Equal(0, statistics.RequestCount - statistics.ErrorCount);
        var (_, tags) = Assert.Single(_durations);
        Assert.Equal(("pairs", "1", "InvalidArgument"), ((string?)tags["model"], (string?)tags["version"], (string?)tags["status"]));
    }

    [Fact]
    public async Task A_request_for_nothing_served_is_counted_by_the_metric_and_no_window()
    {
        var record = new RequestRecord("nosuch", null, InferenceProtocol.Grpc);
        await Assert.ThrowsAsync<InferenceException>(async () => await _pipeline.InferAsync(Request(columns: 2, model: "nosuch"), record, CancellationToken.None));

        _accounting.Complete(record, StatusCode.NotFound);

        Assert.Empty(_monitoring.Versions);
        var (_, tags) = Assert.Single(_durations);
        Assert.Equal((InferenceMetrics.UnknownTag, "NotFound"), ((string?)tags["model"], (string?)tags["status"]));
    }

    private PredictionStatistics Drain() =>
        _monitoring.For("pairs", "1").Accumulator.Drain("replica", DateTimeOffset.UtcNow).Statistics;

    private static InferenceRequest Request(int columns, string model = "pairs") => new()
    {
        ModelName = model,
        Inputs = [new InferenceInput("x", "FP32", [1, columns], TensorData.Raw(MemoryMarshal.AsBytes(new float[columns].AsSpan()).ToArray()))],
    };

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
        _repository.Dispose();
    }
}
