namespace MlopsAspire.Serving.Batching;

/// <summary>
/// The bytes of queued input tensors that every <see cref="DynamicBatcher"/> of a process may hold together. Each
/// model's own <see cref="BatchingOptions.MaxQueueBytes"/> bounds one queue; this bounds their sum, which grows with
/// the number of models served. Lock-free: a reservation is one compare-and-swap on a shared counter.
/// </summary>
public sealed class QueueByteBudget
{
    private long _used;
    private long _peak;
    private long _refusals;

    public QueueByteBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>
    /// A quarter of the memory this process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>), twice one
    /// model's default: two busy models can each fill their own queue, more share what is left (see
    /// <see cref="BatchingOptions.DefaultMaxQueueBytes"/> for what the rest of the memory is needed for).
    /// </summary>
    public static long DefaultLimit { get; } = 2 * BatchingOptions.DefaultMaxQueueBytes;

    public long Limit { get; }

    /// <summary>Bytes queued now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/> unless that would pass the limit.</summary>
    public bool TryReserve(long bytes)
    {
        var used = Volatile.Read(ref _used);
        while (true)
        {
            var wanted = used + bytes;
            if (wanted > Limit)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _used, wanted, used);
            if (seen == used)
            {
                // A racy maximum is enough: the peak only tells whether a flood happened.
                if (wanted > Volatile.Read(ref _peak))
                {
                    Volatile.Write(ref _peak, wanted);
                }

                return true;
            }

            used = seen;
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);

    /// <summary>Records that a queue turned a request away for lack of room (its own bounds or this budget).</summary>
    public void RecordRefusal() => Interlocked.Increment(ref _refusals);

    /// <summary>
    /// What the queues went through since the last call (or the start): the most bytes queued at once, and how many
    /// requests were turned away for lack of room. The next period starts at what is queued now.
    /// </summary>
    public (long PeakBytes, long Refusals) TakePressure() =>
        (Math.Max(Interlocked.Exchange(ref _peak, Used), Used), Interlocked.Exchange(ref _refusals, 0));
}
