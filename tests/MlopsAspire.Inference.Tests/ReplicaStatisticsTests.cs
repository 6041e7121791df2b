using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Configuration;
using static MlopsAspire.Inference.Tests.Eventually;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;

namespace MlopsAspire.Inference.Tests;

/// <summary>What a replica's prediction statistics record about requests the dynamic batcher merged.</summary>
public sealed class ReplicaStatisticsTests : IAsyncDisposable
{
    // Two features per row; a batch of 5 rows runs as soon as it is queued, smaller ones wait far longer than a test.
    private const string MergingConfiguration = """
        { "max_batch_size": 8, "dynamic_batching": { "max_queue_delay_microseconds": 60000000, "preferred_batch_size": [5] } }
        """;

    private readonly ModelRepository _repository = new();
    private readonly BatchingInferenceExecutor _executor = new();
    private readonly ReplicaMonitoring _monitoring = new(TimeProvider.System);

    public ReplicaStatisticsTests()
    {
        _repository.Add(OnnxModel.Load(
            "pairs",
            "1",
            IdentityModels.Create(elementType: 1, "x", "y", [-1, 2]),
            new OnnxModelOptions { IntraOpThreads = 1 },
            configuration: ModelConfigurationParser.Parse(MergingConfiguration)));
        _repository.SetDefaultVersion("pairs", "1");
    }

    [Fact]
    public async Task Requests_merged_into_one_batch_each_count_the_merged_batch_size()
    {
        var pipeline = new PredictionPipeline(
            new InferenceEngine(_repository, _executor),
            new TrafficRoutes(),
            _monitoring,
            Options.Create(new MonitoringOptions()),
            NullLogger<PredictionPipeline>.Instance,
            new DiscardingMonitoringSink());

        // 2 rows wait for company; 3 more rows make the preferred 5 and the batch runs.
        var twoRows = pipeline.InferAsync(Request(rows: 2), CancellationToken.None).AsTask();
        await Until(() => _executor.Batchers.Sum(batcher => batcher.QueuedRequests) == 1);
        var threeRows = pipeline.InferAsync(Request(rows: 3), CancellationToken.None).AsTask();
        var responses = await Task.WhenAll(twoRows, threeRows).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var response in responses)
        {
            Assert.Equal(5, response.Timings.BatchRows);
            response.Dispose();
        }

        var statistics = _monitoring.For("pairs", "1").Accumulator.Drain("replica", DateTimeOffset.UtcNow).Statistics;
        Assert.Equal(2, statistics.RequestCount);
        Assert.Equal(5, statistics.RowCount);
        var expected = new long[PredictionStatistics.BatchSizeBuckets];
        expected[PredictionStatistics.BatchSizeBucketOf(5)] = 2;
        Assert.Equal(expected, statistics.BatchSizes);
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        _repository.Dispose();
    }

    private static InferenceRequest Request(int rows) => new()
    {
        ModelName = "pairs",
        Inputs =
        [
            new InferenceInput(
                "x",
                "FP32",
                [rows, 2],
                TensorData.Raw(MemoryMarshal.AsBytes(Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray().AsSpan()).ToArray())),
        ],
    };
}
