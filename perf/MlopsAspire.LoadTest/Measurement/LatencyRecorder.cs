using HdrHistogram;

namespace MlopsAspire.LoadTest.Measurement;

/// <summary>
/// Records request latencies from many threads into HdrHistogram and cuts them into intervals for the
/// latency-over-time chart. Writers record into a lock-free <see cref="Recorder"/>; one sampler (the run's
/// ticker) swaps out each interval and adds it to the run's total, so reading never blocks a writer. It reads no
/// clock: callers measure on theirs and hand over durations.
/// </summary>
public sealed class LatencyRecorder
{
    private readonly Recorder _recorder = LatencyHistograms.CreateRecorder();
    private readonly ErrorCounts _errors = new();
    private readonly Lock _samplerLock = new();
    private readonly HistogramBase _total = LatencyHistograms.Create();
    private readonly List<IntervalSample> _intervals = [];
    private HistogramBase? _recycled;
    private TimeSpan _intervalStart;
    private long _errorsAtLastSample;

    public ErrorCounts Errors => _errors;

    /// <summary>Records one successful request that took <paramref name="latency"/>.</summary>
    public void RecordSuccess(TimeSpan latency) => _recorder.RecordValue(LatencyHistograms.ToMicroseconds(latency));

    public void RecordError(string status) => _errors.Add(status);

    /// <summary>
    /// Closes the current interval <paramref name="elapsed"/> after the start of the run: adds it to the total and
    /// appends its sample. Called by one sampler at a time.
    /// </summary>
    public IntervalSample SampleInterval(TimeSpan elapsed)
    {
        lock (_samplerLock)
        {
            var interval = _recorder.GetIntervalHistogram(_recycled);
            _total.Add(interval);
            var errors = _errors.Total;
            var sample = new IntervalSample(
                ElapsedSeconds: elapsed.TotalSeconds,
                IntervalSeconds: (elapsed - _intervalStart).TotalSeconds,
                Succeeded: interval.TotalCount,
                Failed: errors - _errorsAtLastSample,
                P50Ms: LatencyHistograms.PercentileMs(interval, 50),
                P99Ms: LatencyHistograms.PercentileMs(interval, 99),
                MaxMs: interval.TotalCount == 0 ? 0 : LatencyHistograms.ToMilliseconds(interval.GetMaxValue()));
            _intervals.Add(sample);
            _errorsAtLastSample = errors;
            _intervalStart = elapsed;
            _recycled = interval;
            return sample;
        }
    }

    /// <summary>Median and p99 of everything sampled so far, in milliseconds.</summary>
    public (double P50Ms, double P99Ms) TotalPercentiles()
    {
        lock (_samplerLock)
        {
            return (LatencyHistograms.PercentileMs(_total, 50), LatencyHistograms.PercentileMs(_total, 99));
        }
    }

    /// <summary>A copy of everything sampled so far (call <see cref="SampleInterval"/> first for the latest).</summary>
    public HistogramBase CopyTotal()
    {
        lock (_samplerLock)
        {
            return _total.Copy();
        }
    }

    public IReadOnlyList<IntervalSample> Intervals
    {
        get
        {
            lock (_samplerLock)
            {
                return [.. _intervals];
            }
        }
    }
}
