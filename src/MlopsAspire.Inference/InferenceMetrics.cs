using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlopsAspire.Inference;

/// <summary>
/// OpenTelemetry instruments of the inference tier (meter <c>MlopsAspire.Inference</c>):
/// <c>mlops.inference.requests</c> counts ModelInfer calls and <c>mlops.inference.duration</c> records their
/// total latency in seconds (receipt to encoded response), both tagged <c>model</c>, <c>version</c>, <c>status</c>
/// (a gRPC status code name). Requests for models this replica does not serve are tagged <c>model=unknown</c>
/// so that arbitrary names cannot grow the tag set.
/// </summary>
public sealed class InferenceMetrics
{
    public const string MeterName = "MlopsAspire.Inference";
    public const string UnknownTag = "unknown";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public InferenceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("mlops.inference.requests", unit: "{request}", description: "ModelInfer requests by model, version and status.");
        _duration = meter.CreateHistogram(
            "mlops.inference.duration",
            unit: "s",
            description: "Total ModelInfer latency from receipt to encoded response.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    public void RecordRequest(string model, string version, string status, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "model", model },
            { "version", version },
            { "status", status },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
