namespace MlopsAspire.Monitoring.Recording;

/// <summary>
/// The counters of one interval: one stripe per processor group so concurrent writers rarely share a cache
/// line, each stripe laid out by <see cref="CounterLayout"/> and starting with its active-writer count.
/// </summary>
internal sealed class IntervalCounters(CounterLayout layout, int stripes)
{
    public long[] Cells { get; } = new long[layout.StripeLength * stripes];

    public int Stripes { get; } = stripes;

    public Span<long> Stripe(int stripe) => Cells.AsSpan(stripe * layout.StripeLength, layout.StripeLength);

    /// <summary>Spins until no writer holds any stripe; called only once these counters are no longer current.</summary>
    public void WaitForWriters()
    {
        for (var stripe = 0; stripe < Stripes; stripe++)
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref Cells[(stripe * layout.StripeLength) + CounterLayout.ActiveWriters]) != 0)
            {
                spinner.SpinOnce();
            }
        }
    }

    /// <summary>Zeroes every counter but the active-writer counts, which a writer that is backing off may still hold.</summary>
    public void Clear()
    {
        for (var stripe = 0; stripe < Stripes; stripe++)
        {
            Stripe(stripe)[(CounterLayout.ActiveWriters + 1)..].Clear();
        }
    }
}
