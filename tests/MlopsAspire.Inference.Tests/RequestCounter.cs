using System.Diagnostics.Metrics;

namespace MlopsAspire.Inference.Tests;

/// <summary>Adds up <c>mlops.inference.requests</c> measurements that carry every one of the given tags.</summary>
internal sealed class RequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _observed;

    public RequestCounter(params KeyValuePair<string, object?>[] tags)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "MlopsAspire.Inference" && instrument.Name == "mlops.inference.requests")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, measured, _) =>
        {
            var measuredTags = measured.ToArray();
            if (tags.All(measuredTags.Contains))
            {
                Interlocked.Add(ref _observed, value);
            }
        });
        _listener.Start();
    }

    public long Observed => Interlocked.Read(ref _observed);

    public void Dispose() => _listener.Dispose();
}
