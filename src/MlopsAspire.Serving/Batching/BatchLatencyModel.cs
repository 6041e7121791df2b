namespace MlopsAspire.Serving.Batching;

/// <summary>
/// Online fit of a version's batch latency as t(n) = a·n + b (n rows, a the time per row, b the fixed cost of a
/// session Run), by exponentially weighted least squares over observed (batch size, Run time) pairs so that it
/// follows the machine's load. Used by adaptive batching to predict when a new request would complete.
/// </summary>
public sealed class BatchLatencyModel
{
    private readonly Lock _lock = new();
    private readonly double _forgetting;
    private readonly int _minimumObservations;

    // Weighted sums of 1, n, t, n² and n·t (t in seconds); older observations decay by the forgetting factor.
    private double _weight;
    private double _sumN;
    private double _sumT;
    private double _sumNN;
    private double _sumNT;
    private long _observations;

    /// <param name="forgetting">Weight kept by earlier observations at each new one (0 &lt; f ≤ 1); 0.98 remembers about 50 runs.</param>
    /// <param name="minimumObservations">Observations needed before predictions are trusted.</param>
    public BatchLatencyModel(double forgetting = 0.98, int minimumObservations = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(forgetting);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(forgetting, 1.0);
        _forgetting = forgetting;
        _minimumObservations = Math.Max(1, minimumObservations);
    }

    public long Observations => Interlocked.Read(ref _observations);

    /// <summary>Whether enough runs were observed to predict.</summary>
    public bool IsReady => Observations >= _minimumObservations;

    /// <summary>Time per row (a).</summary>
    public TimeSpan PerRow => Seconds(Fit().PerRow);

    /// <summary>Fixed cost of a run (b).</summary>
    public TimeSpan Fixed => Seconds(Fit().Fixed);

    public void Observe(int batchSize, TimeSpan runTime)
    {
        var n = (double)Math.Max(1, batchSize);
        var t = Math.Max(0, runTime.TotalSeconds);
        lock (_lock)
        {
            _weight = _weight * _forgetting + 1;
            _sumN = _sumN * _forgetting + n;
            _sumT = _sumT * _forgetting + t;
            _sumNN = _sumNN * _forgetting + n * n;
            _sumNT = _sumNT * _forgetting + n * t;
            _observations++;
        }
    }

    /// <summary>Predicted Run time of a batch of <paramref name="batchSize"/> rows.</summary>
    public TimeSpan Predict(int batchSize)
    {
        var (perRow, fixedCost) = Fit();
        return Seconds(perRow * Math.Max(1, batchSize) + fixedCost);
    }

    /// <summary>
    /// When a request of <paramref name="rows"/> rows arriving now would complete, from now: the rows queued ahead
    /// of it go first in batches of up to <paramref name="maxBatchSize"/>, each batch on the instance that frees up
    /// first, and a request that does not fill a batch may wait up to <paramref name="batchingDelay"/> for company.
    /// </summary>
    /// <param name="rowsAhead">Rows queued before it (its priority level and higher).</param>
    /// <param name="instancesBusyFor">For each execution instance, how long until it is free (zero when idle).</param>
    public TimeSpan PredictCompletion(int rowsAhead, int rows, int maxBatchSize, ReadOnlySpan<TimeSpan> instancesBusyFor, TimeSpan batchingDelay)
    {
        var batch = Math.Max(1, maxBatchSize);
        var total = (long)Math.Max(0, rowsAhead) + Math.Max(1, rows);
        var batchesBefore = (total + batch - 1) / batch - 1;
        var ownBatch = (int)(total - batchesBefore * batch);

        var instances = Math.Max(1, instancesBusyFor.Length);
        Span<TimeSpan> free = instances <= 64 ? stackalloc TimeSpan[instances] : new TimeSpan[instances];
        free.Clear();
        instancesBusyFor.CopyTo(free);
        free.Sort();

        // Batches are handed to instances round-robin in the order they free up.
        var start = free[(int)(batchesBefore % instances)] + (batchesBefore / instances) * Predict(batch);
        var wait = total < batch ? batchingDelay : TimeSpan.Zero;
        return start + wait + Predict(ownBatch);
    }

    // Rounded to the nearest tick (TimeSpan.FromSeconds truncates, turning 10 µs into 9.9).
    private static TimeSpan Seconds(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    private (double PerRow, double Fixed) Fit()
    {
        double weight, sumN, sumT, sumNN, sumNT;
        lock (_lock)
        {
            (weight, sumN, sumT, sumNN, sumNT) = (_weight, _sumN, _sumT, _sumNN, _sumNT);
        }

        if (weight <= 0)
        {
            return (0, 0);
        }

        var meanN = sumN / weight;
        var meanT = sumT / weight;
        var varianceN = sumNN / weight - meanN * meanN;
        if (varianceN <= 1e-9 * Math.Max(1, meanN * meanN))
        {
            // Every run had (about) the same size: the split between per-row and fixed cost is unknown, so assume it
            // is all per row, which overestimates larger batches rather than underestimating them.
            return (meanT / meanN, 0);
        }

        var perRow = (sumNT / weight - meanN * meanT) / varianceN;
        var fixedCost = meanT - perRow * meanN;
        if (perRow < 0)
        {
            // Noise made larger batches look faster: treat the cost as fixed.
            return (0, meanT);
        }

        if (fixedCost < 0)
        {
            // A line through the origin fitted to the same points.
            return (sumNT / sumNN, 0);
        }

        return (perRow, fixedCost);
    }
}
