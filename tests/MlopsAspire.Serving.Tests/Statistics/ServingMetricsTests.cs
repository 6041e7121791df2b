using System.Diagnostics.Metrics;
using MlopsAspire.FraudData;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Serving.Tests.Statistics;

public sealed class ServingMetricsTests
{
    [Fact]
    public async Task The_engine_meter_reports_the_totals_of_the_Triton_statistics_it_reads_from()
    {
        using var meters = new OwnMeterFactory();
        using var repository = new ModelRepository(metrics: new ServingMetrics(meters));
        repository.Add(TestModels.LoadFraud());
        repository.SetDefaultVersion("fraud", "1");
        var engine = new InferenceEngine(repository);
        var features = new float[2 * FraudFeatures.Count];
        for (var i = 0; i < 3; i++)
        {
            using var response = await engine.InferAsync(new InferenceRequest
            {
                ModelName = "fraud",
                Inputs = [new InferenceInput("Features", "FP32", [2, FraudFeatures.Count], TensorData.Typed(features))],
            });
        }

        // Resolved, then refused by its signature: a failure of the version.
        await Assert.ThrowsAsync<InferenceException>(async () => await engine.InferAsync(new InferenceRequest
        {
            ModelName = "fraud",
            Inputs = [new InferenceInput("Features", "FP32", [1, 3], TensorData.Typed(new float[3]))],
        }));

        var observed = Collect(meters);
        var statistics = repository.Resolve("fraud", null).Statistics.Snapshot();
        Assert.Equal(3, observed[("mlops.inference.engine.requests", "success")]);
        Assert.Equal(1, observed[("mlops.inference.engine.requests", "failure")]);
        Assert.Equal(6, observed[("mlops.inference.inferences", "")]);
        Assert.Equal(statistics.ExecutionCount, observed[("mlops.inference.executions", "")]);
        Assert.Equal(0, observed[("mlops.inference.pending", "")]);
        Assert.Equal(statistics.Success.Nanoseconds / 1e9, observed[("mlops.inference.request.time", "success")]);
        Assert.Equal(statistics.Fail.Nanoseconds / 1e9, observed[("mlops.inference.request.time", "failure")]);
        Assert.Equal(statistics.Queue.Nanoseconds / 1e9, observed[("mlops.inference.queue.time", "")]);
        Assert.Equal(statistics.ComputeInfer.Nanoseconds / 1e9, observed[("mlops.inference.compute_infer.time", "")]);
        Assert.True(statistics.ComputeInfer.Nanoseconds > 0);
    }

    [Fact]
    public void A_detached_version_is_no_longer_reported()
    {
        using var meters = new OwnMeterFactory();
        var metrics = new ServingMetrics(meters);
        var statistics = new ModelStatistics("fraud", "1");
        metrics.Attach(statistics);
        statistics.RecordSuccess(1, 10, 10, 10, 10, 40);
        Assert.Equal(1, Collect(meters)[("mlops.inference.engine.requests", "success")]);

        statistics.Detach();

        Assert.DoesNotContain(("mlops.inference.engine.requests", "success"), Collect(meters).Keys);
    }

    /// <summary>Every measurement of this factory's meter for version fraud/1, by instrument and outcome tag.</summary>
    private static Dictionary<(string Instrument, string Outcome), double> Collect(OwnMeterFactory meters)
    {
        var observed = new Dictionary<(string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var pairs = tags.ToArray();
            Assert.Contains(new KeyValuePair<string, object?>("model", "fraud"), pairs);
            Assert.Contains(new KeyValuePair<string, object?>("version", "1"), pairs);
            var outcome = pairs.FirstOrDefault(tag => tag.Key == "outcome").Value as string ?? "";
            observed[(instrument.Name, outcome)] = value;
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return observed;
    }

    /// <summary>Meters scoped to this factory, so that other tests' meters of the same name are not read.</summary>
    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(meter => meter.Dispose());
    }
}
