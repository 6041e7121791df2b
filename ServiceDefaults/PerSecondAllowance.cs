namespace MlopsAspire.ServiceDefaults;

/// <summary>
/// Allows up to a number of events per clock second and refuses the rest until the next second. Safe for any
/// number of callers without a lock: the second and the count taken in it are swapped as one word.
/// </summary>
public sealed class PerSecondAllowance
{
    private const int CountBits = 24;
    private const long CountMask = (1L << CountBits) - 1;

    /// <summary>The largest allowance: the count shares a word with the second it belongs to.</summary>
    public const int MaxPerSecond = (int)CountMask;

    private readonly TimeProvider _time;

    // The current second (high bits) and the events taken in it (low bits).
    private long _state = -1;

    public PerSecondAllowance(int perSecond, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(perSecond, MaxPerSecond);
        PerSecond = perSecond;
        _time = time ?? TimeProvider.System;
    }

    public int PerSecond { get; }

    /// <summary>True when this second still has room (and takes it).</summary>
    public bool TryTake()
    {
        if (PerSecond == 0)
        {
            return false;
        }

        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var taken = state >> CountBits == second ? state & CountMask : 0;
            if (taken >= PerSecond)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, (second << CountBits) | (taken + 1), state) == state)
            {
                return true;
            }
        }
    }
}
